#!/usr/bin/env python3
"""Reads CSV files with Python's csv module, as a spreadsheet user's tools would, and prints them
as JSON: {"FILE": {"bom": true|false, "rows": [[header...], [cell...], ...]}}. Tests compare the
export's CSV through this real parser, not through their own."""
import csv
import json
import sys

out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as raw:
        bom = raw.read(3) == b"\xef\xbb\xbf"
    with open(path, newline="", encoding="utf-8-sig") as text:
        out[path] = {"bom": bom, "rows": list(csv.reader(text, strict=True))}
json.dump(out, sys.stdout, ensure_ascii=False)
