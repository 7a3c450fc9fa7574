"""Reads a workbook with openpyxl (Debian's python3-openpyxl) and prints it as JSON on stdout, so
that tests/analysis/xlsx_writer_test.cpp checks the file as another program sees it:

  {"title": ..., "comments": ..., "sheets": [{"name": ..., "frozen": "A2", "header_bold": true,
               "codes_not_flagged": true, "filter": "A1:C4", "rows": [[cell, ...], ...]}, ...]}

codes_not_flagged: the sheet tells Excel not to flag text that looks like a number (its
ignoredErrors element, which openpyxl does not read: taken from the sheet's XML). filter: the
range of the sheet's filter buttons (autoFilter), or null.

Cells keep their type: a string, a number (an int when Excel holds a whole number), true or
false, or null when the cell holds nothing. Rows are as wide as the sheet.
"""
import json
import re
import sys
import zipfile

import openpyxl


def main():
    workbook = openpyxl.load_workbook(sys.argv[1])
    with zipfile.ZipFile(sys.argv[1]) as archive:
        # libxlsxwriter names the sheets' parts sheet1.xml, sheet2.xml, ... in the workbook's order.
        xml = [archive.read(f"xl/worksheets/sheet{i + 1}.xml").decode("utf-8")
               for i in range(len(workbook.worksheets))]
    sheets = []
    for index, sheet in enumerate(workbook.worksheets):
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        header = next(sheet.iter_rows(min_row=1, max_row=1), ())
        sheets.append({
            "name": sheet.title,
            "frozen": sheet.freeze_panes,
            "header_bold": bool(header) and all(cell.font is not None and cell.font.b for cell in header),
            "codes_not_flagged": re.search(r'<ignoredError [^>]*numberStoredAsText="1"', xml[index]) is not None,
            "filter": sheet.auto_filter.ref,
            "rows": rows,
        })
    properties = workbook.properties
    json.dump({"title": properties.title, "comments": properties.description, "sheets": sheets},
              sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
