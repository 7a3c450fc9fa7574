#!/usr/bin/python3
"""Checks the JSON Schemas against the files they describe: every example form validates
against schemas/form.schema.json, every code list against schemas/codelist.schema.json, and a
few forms the loader refuses for a property-level fault are refused by the schema too.
Uses Debian's python3-jsonschema; exits non-zero on the first disagreement."""
import glob
import json
import os
import sys

import jsonschema

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def validator(name):
    schema = load(os.path.join(root, "schemas", name))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


failures = 0
form_schema = validator("form.schema.json")
codelist_schema = validator("codelist.schema.json")

for path in sorted(glob.glob(os.path.join(root, "schemas", "examples", "*.json"))):
    errors = list(form_schema.iter_errors(load(path)))
    for e in errors:
        print(f"{path}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    failures += len(errors)
    print(f"{os.path.relpath(path, root)}: {'valid' if not errors else 'INVALID'}")

for path in sorted(glob.glob(os.path.join(root, "schemas", "codelists", "*.json"))):
    errors = list(codelist_schema.iter_errors(load(path)))
    for e in errors:
        print(f"{path}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    failures += len(errors)
    print(f"{os.path.relpath(path, root)}: {'valid' if not errors else 'INVALID'}")

# Faults the schema can see as well as the loader: it must refuse these.
# (A label missing one of the form's languages is beyond JSON Schema: only the loader sees it.)
for name in ["unknown_property", "page_mixed", "nested_repeat"]:
    path = os.path.join(root, "tests", "forms", "broken", name + ".json")
    if not os.path.exists(path):
        continue
    if form_schema.is_valid(load(path)):
        print(f"{path}: the schema accepts a form the loader refuses")
        failures += 1
    else:
        print(f"{os.path.relpath(path, root)}: refused, as by the loader")

print("schemas: all checks passed" if not failures else f"schemas: {failures} problems")
sys.exit(1 if failures else 0)
