#!/usr/bin/env python3
"""Writes the SurveyJS version of the coordinator checklist's matrix page, for the renderer benchmark.

  checklist_surveyjs.py schemas/examples/coordinator_checklist.json OUT.json

chosa's page p_checklist holds an intro note, the 25-row matrix on the 4-point scale (できる 4 ...
できない 1) and the live total note "合計 N / 100". The SurveyJS survey has the same page: the intro
as an `html` question, a `matrix` question with the same 25 rows and the same 4 columns (values 4, 3,
2, 1 as numbers, as bench/generate_forms.py writes the scale), required, and the total as an
`expression` question (sum of the 25 cells, shown as "N / 100"). Texts in both languages, locale
ja, as the generated forms. Only this page: the benchmark taps its cells (chosa's profile page is
filled before the taps start and is not drawn while they run). Python 3 standard library only.
"""
import json
import sys


def sjs(text):
    if isinstance(text, dict):
        return {"default": text.get("en", ""), "ja": text.get("ja", "")}
    return text


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: checklist_surveyjs.py coordinator_checklist.json OUT.json")
    form = json.load(open(sys.argv[1], encoding="utf-8"))
    page = next(p for p in form["items"] if p["type"] == "page" and p["name"] == "p_checklist")
    items = {i["name"]: i for i in page["items"]}
    matrix = items["checklist"]
    scale = form["choice_lists"][matrix["list"]]
    intro = items["checklist_intro"]
    total = items["checklist_total_note"]
    rows = [r["name"] for r in matrix["rows"]]
    survey = {
        "title": sjs(form["title"]),
        "locale": "ja",
        "pages": [{
            "name": page["name"],
            "title": sjs(page["label"]),
            "elements": [
                {"type": "html", "name": intro["name"],
                 "html": {"default": intro["label"]["en"], "ja": intro["label"]["ja"]}},
                {"type": "matrix", "name": matrix["name"], "title": sjs(matrix["label"]),
                 "isRequired": True, "isAllRowRequired": True,
                 "requiredErrorText": sjs(matrix.get("required_message")),
                 "columns": [{"value": int(c["value"]), "text": sjs(c["label"])} for c in scale],
                 "rows": [{"value": r["name"], "text": sjs(r["label"])} for r in matrix["rows"]]},
                # "合計 ${checklist_total} / 100": the label before the number is the title.
                {"type": "expression", "name": "checklist_total",
                 "title": {"default": total["label"]["en"].split("$")[0].strip(),
                           "ja": total["label"]["ja"].split("$")[0].strip()},
                 "expression": "sum(%s)" % ", ".join("{%s.%s}" % (matrix["name"], r) for r in rows),
                 "format": "{0} / 100", "displayStyle": "decimal"},
            ],
        }],
    }
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(survey, out, ensure_ascii=False, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
