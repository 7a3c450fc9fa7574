#!/usr/bin/env python3
"""Generates the benchmark questionnaires in two formats: chosa's and SurveyJS's.

For each size N (top-level questions counted as SurveyJS counts them: a matrix or a dynamic
panel is one question; calculations are not questions) it writes, into --out:

  form_N.chosa.json     the form in chosa's format (docs/form-format.md)
  form_N.surveyjs.json  the same questionnaire as a SurveyJS (survey-core) JSON
  plan_N.json           what both benchmark programs do with it: the hub, leaf and score
                        questions and the values they alternate between, the answers of a
                        complete filling (as chosa paths + text, and as SurveyJS data), the
                        items whose visibility and the calculations whose values are compared,
                        and the generator's own expectation of every check snapshot.

The mix of a realistic long survey: pages of 40 questions; yes/no/unknown selects, 4-point
scales, integers (half with a range constraint), decimals, short and long texts, multiple
selects, dates; ~40% of items carry skip logic (`relevant` / `visibleIf`), ~30% are required;
a 25-row matrix with its total; a repeat (dynamic panel) with a sum over its instances; per page
a score total and a hub-dependent adjusted total; a grand total over the pages.

The hub is one select that ~10% of all items (their visibility) and every page's adjusted total
read: hundreds of dependents at N = 10,000. The leaf is an integer no expression reads (it has
its own range constraint). The score question is a 4-point scale that feeds its page's total,
the page's adjusted total and the grand total (a chain of three calculations).

Skip logic and calculations read only questions that have no skip logic themselves (the hub,
gates, scales, ...). That keeps the two engines' documented semantics identical: in chosa a
hidden question reads as empty, in SurveyJS it keeps its value; a form in which no expression
reads a question that can be hidden behaves the same in both.

Deterministic: the same --seed gives byte-identical files. Python 3 standard library only.
"""

import argparse
import json
import os
import random
import sys

QUESTIONS_PER_PAGE = 40
REPEAT_INSTANCES = 3  # instances in the complete filling (the session starts with min = 1)

# (kind, weight) of the generic questions.
MIX = [
    ("yn3", 25),      # select_one yes / no / unknown: the usual "gate" question
    ("scale", 20),    # select_one on a 4-point scale with scores
    ("integer", 15),
    ("decimal", 7),
    ("text", 13),
    ("multi", 12),    # select_multiple over 6 options
    ("date", 8),
]

YN3 = [("yes", "はい", "Yes"), ("no", "いいえ", "No"), ("unknown", "わからない", "Don't know")]
SCALE4 = [("4", "できる", "Can do"), ("3", "少しできる", "Can do a little"),
          ("2", "あまりできない", "Can hardly do"), ("1", "できない", "Cannot do")]
HUB3 = [("a", "病院・診療所", "Hospital or clinic"), ("b", "訪問看護ステーション", "Home-visit nursing station"),
        ("c", "居宅介護支援事業所", "Care management office")]
NEEDS6 = [("o1", "研修会", "Workshops"), ("o2", "相談窓口", "A consultation desk"),
          ("o3", "情報共有ツール", "Information-sharing tools"), ("o4", "顔の見える関係づくり", "Meeting in person"),
          ("o5", "住民への啓発", "Public awareness"), ("o6", "その他", "Other")]
VISIT3 = [("home", "訪問", "Home visit"), ("clinic", "来所", "At the office"), ("phone", "電話", "By phone")]

TOPICS = [
    ("在宅医療・介護連携の状況", "collaboration between home medical care and nursing care"),
    ("退院調整の取組", "discharge planning"),
    ("多職種研修への参加", "taking part in multi-professional workshops"),
    ("人生会議（ACP）の実施", "advance care planning (ACP)"),
    ("看取りへの対応", "end-of-life care at home"),
    ("情報共有ツールの活用", "using information-sharing tools"),
    ("相談支援室との連携", "working with the support office"),
    ("地域包括支援センターとの連携", "working with the community support centre"),
]


def loc(ja, en):
    return {"ja": ja, "en": en}


def sjs_loc(ja, en):
    return {"default": en, "ja": ja}


def choices_sjs(options, numeric=False):
    return [{"value": int(v) if numeric else v, "text": sjs_loc(ja, en)} for v, ja, en in options]


class Generator:
    def __init__(self, n, seed):
        if n < 20:
            raise ValueError("N must be at least 20")
        self.n = n
        self.rng = random.Random(seed * 1000003 + n)
        self.items = []  # generic and special questions, in document order (model for expectations)

    # ----------------------------------------------------------------------------------------
    # The model: each question is a dict with
    #   name, kind, page, required, cond (None or a tuple), answer (chosa text or None),
    #   unconditional (no skip logic: may be read by expressions)
    # cond: ("hub_eq", v) | ("hub_ne", v) | ("gate", name) | ("scale_ge", name, k) |
    #       ("int_gt", name, k) | ("multi_has", name, v) | ("text_set", name) |
    #       ("hub_ne_and_gate", v, name)

    def pick_kind(self):
        total = sum(w for _, w in MIX)
        r = self.rng.uniform(0, total)
        for kind, w in MIX:
            r -= w
            if r <= 0:
                return kind
        return MIX[-1][0]

    def make_condition(self, page_items):
        """A skip-logic condition reading an unconditional question (or the hub)."""
        r = self.rng.random()
        readable = [q for q in page_items if q["unconditional"]]
        def pick(kind):
            cands = [q for q in readable if q["kind"] == kind]
            return self.rng.choice(cands) if cands else None
        if r < 0.14:
            return ("hub_eq", "a")
        if r < 0.20:
            return ("hub_eq", "b")
        if r < 0.25:
            return ("hub_ne", "c")
        if r < 0.55:
            g = pick("yn3")
            if g:
                return ("gate", g["name"])
        elif r < 0.65:
            s = pick("scale")
            if s:
                return ("scale_ge", s["name"], 3)
        elif r < 0.75:
            q = pick("integer")
            if q:
                return ("int_gt", q["name"], 40)
        elif r < 0.83:
            q = pick("multi")
            if q:
                return ("multi_has", q["name"], "o3")
        elif r < 0.90:
            q = pick("text")
            if q:
                return ("text_set", q["name"])
        else:
            g = pick("yn3")
            if g:
                return ("hub_ne_and_gate", "c", g["name"])
        return ("hub_ne", "c") if r < 0.6 else ("hub_eq", "a")

    def answer_for(self, kind):
        rng = self.rng
        if kind == "yn3":
            return rng.choice(["yes", "yes", "no", "unknown"])
        if kind == "scale":
            return rng.choice(["1", "2", "3", "4"])
        if kind == "integer":
            return str(rng.randint(0, 120))
        if kind == "decimal":
            return "%d.%d" % (rng.randint(0, 99), rng.randint(1, 9))
        if kind == "text":
            return "回答%04d 在宅医療の連携について" % rng.randint(0, 9999)
        if kind == "multi":
            picked = sorted(rng.sample(["o1", "o2", "o3", "o4", "o5", "o6"], rng.randint(1, 3)),
                            key=lambda v: int(v[1:]))
            return " ".join(picked)
        if kind == "date":
            return "2024-%02d-%02d" % (rng.randint(4, 12), rng.randint(1, 28))
        raise ValueError(kind)

    def build(self):
        n = self.n
        generic = n - 4  # hub, leaf, matrix, repeat
        pages = []  # list of lists of question dicts (generic + specials placeholders)
        counter = 0
        page_count = max(3, (n + QUESTIONS_PER_PAGE - 1) // QUESTIONS_PER_PAGE)
        per_page = []
        # Page 0: hub + leaf + generics; page 1: the matrix + generics; page 2: the repeat + generics.
        remaining = generic
        for p in range(page_count):
            specials = 2 if p == 0 else (1 if p in (1, 2) else 0)
            slots = QUESTIONS_PER_PAGE - specials
            take = min(slots, remaining) if p < page_count - 1 else remaining
            per_page.append(take)
            remaining -= take
        assert remaining == 0, remaining
        self.page_count = page_count
        for p in range(page_count):
            page = []
            if p == 0:
                page.append(dict(name="hub", kind="hub", page=0, required=True, cond=None,
                                 unconditional=True, answer="a"))
                page.append(dict(name="leaf", kind="leaf", page=0, required=False, cond=None,
                                 unconditional=True, answer="40"))
            if p == 1:
                page.append(dict(name="checklist", kind="matrix", page=1, required=True, cond=None,
                                 unconditional=True, answer=None))
            if p == 2:
                page.append(dict(name="visits", kind="repeat", page=2, required=False, cond=None,
                                 unconditional=True, answer=None))
            for _ in range(per_page[p]):
                counter += 1
                kind = self.pick_kind()
                q = dict(name="q%05d" % counter, kind=kind, page=p, cond=None)
                q["required"] = self.rng.random() < 0.30
                if self.rng.random() < 0.40:
                    q["cond"] = self.make_condition(page)
                q["unconditional"] = q["cond"] is None
                q["constraint"] = kind == "integer" and self.rng.random() < 0.5
                q["hint"] = self.rng.random() < 0.2
                q["multiline"] = kind == "text" and self.rng.random() < 0.35
                q["topic"] = self.rng.randrange(len(TOPICS))
                q["answer_value"] = self.answer_for(kind)
                page.append(q)
            pages.append(page)
        self.pages = pages
        # The score question: the first unconditional scale on a page >= 3 (or any page).
        self.score = None
        for page in pages[3:] + pages[:3]:
            for q in page:
                if q["kind"] == "scale" and q["unconditional"]:
                    self.score = q
                    break
            if self.score:
                break
        if self.score is None:
            raise RuntimeError("no unconditional scale question to use as the score question")
        # The matrix rows and repeat answers of the complete filling.
        self.matrix_answers = {"c%02d" % r: self.rng.choice(["1", "2", "3", "4"]) for r in range(1, 26)}
        self.visit_answers = []
        for _ in range(REPEAT_INSTANCES):
            t = self.rng.choice(["home", "clinic", "phone"])
            inst = {"visit_type": t, "visit_minutes": str(self.rng.randint(10, 90))}
            if t == "home":
                inst["visit_note"] = "訪問メモ%03d" % self.rng.randint(0, 999)
            self.visit_answers.append(inst)
        # Calculations per page: the total of its unconditional scales and the hub-adjusted one.
        self.page_scales = []
        for page in pages:
            self.page_scales.append([q["name"] for q in page if q["kind"] == "scale" and q["unconditional"]])

    # ----------------------------------------------------------------------------------------
    # Expressions in both syntaxes.

    @staticmethod
    def cond_chosa(c):
        k = c[0]
        if k == "hub_eq":
            return "${hub} = '%s'" % c[1]
        if k == "hub_ne":
            return "${hub} != '%s'" % c[1]
        if k == "gate":
            return "${%s} = 'yes'" % c[1]
        if k == "scale_ge":
            return "${%s} >= %d" % (c[1], c[2])
        if k == "int_gt":
            return "${%s} > %d" % (c[1], c[2])
        if k == "multi_has":
            return "selected(${%s}, '%s')" % (c[1], c[2])
        if k == "text_set":
            return "${%s} != ''" % c[1]
        if k == "hub_ne_and_gate":
            return "${hub} != '%s' and ${%s} = 'yes'" % (c[1], c[2])
        raise ValueError(k)

    @staticmethod
    def cond_sjs(c):
        k = c[0]
        if k == "hub_eq":
            return "{hub} = '%s'" % c[1]
        if k == "hub_ne":
            return "{hub} != '%s'" % c[1]
        if k == "gate":
            return "{%s} = 'yes'" % c[1]
        if k == "scale_ge":
            return "{%s} >= %d" % (c[1], c[2])
        if k == "int_gt":
            return "{%s} > %d" % (c[1], c[2])
        if k == "multi_has":
            return "{%s} contains '%s'" % (c[1], c[2])
        if k == "text_set":
            return "{%s} notempty" % c[1]
        if k == "hub_ne_and_gate":
            return "{hub} != '%s' and {%s} = 'yes'" % (c[1], c[2])
        raise ValueError(k)

    @staticmethod
    def cond_eval(c, answers):
        """The generator's own reading of a condition over the current answers (chosa text)."""
        def val(name):
            return answers.get(name, "")
        def num(name):
            try:
                return float(val(name))
            except ValueError:
                return float("nan")
        k = c[0]
        if k == "hub_eq":
            return val("hub") == c[1]
        if k == "hub_ne":
            return val("hub") != c[1]
        if k == "gate":
            return val(c[1]) == "yes"
        if k == "scale_ge":
            return num(c[1]) >= c[2]
        if k == "int_gt":
            return num(c[1]) > c[2]
        if k == "multi_has":
            return c[2] in val(c[1]).split()
        if k == "text_set":
            return val(c[1]) != ""
        if k == "hub_ne_and_gate":
            return val("hub") != c[1] and val(c[2]) == "yes"
        raise ValueError(k)

    # ----------------------------------------------------------------------------------------
    # chosa's format

    def label(self, q):
        ja_topic, en_topic = TOPICS[q["topic"]]
        num = q["name"][1:]
        kind = q["kind"]
        if kind == "yn3":
            return loc("問%s　%sを行っていますか" % (num, ja_topic), "Q%s. Do you practise %s?" % (num, en_topic))
        if kind == "scale":
            return loc("問%s　%sについて、どの程度できますか" % (num, ja_topic),
                       "Q%s. How well can you handle %s?" % (num, en_topic))
        if kind == "integer":
            return loc("問%s　%sの件数（年間）" % (num, ja_topic), "Q%s. Number of cases of %s (per year)" % (num, en_topic))
        if kind == "decimal":
            return loc("問%s　%sに要した時間（時間）" % (num, ja_topic), "Q%s. Hours spent on %s" % (num, en_topic))
        if kind == "text":
            return loc("問%s　%sについてご意見をお書きください" % (num, ja_topic),
                       "Q%s. Comments on %s" % (num, en_topic))
        if kind == "multi":
            return loc("問%s　%sに必要なこと（あてはまるものすべて）" % (num, ja_topic),
                       "Q%s. What %s needs (all that apply)" % (num, en_topic))
        if kind == "date":
            return loc("問%s　%sの直近の実施日" % (num, ja_topic), "Q%s. Last date of %s" % (num, en_topic))
        raise ValueError(kind)

    def chosa_item(self, q):
        kind = q["kind"]
        if kind == "hub":
            return {"type": "select_one", "name": "hub", "list": "hub3", "required": True,
                    "label": loc("事業所の種別", "Type of organisation"),
                    "hint": loc("以降の設問はこの回答によって変わります", "Later questions depend on this answer")}
        if kind == "leaf":
            return {"type": "integer", "name": "leaf",
                    "label": loc("回答者の年齢", "Age of the respondent"),
                    "constraint": ". >= 0 and . <= 150",
                    "constraint_message": loc("0から150までの数を入力してください", "Enter a number from 0 to 150")}
        if kind == "matrix":
            return {"type": "matrix", "name": "checklist", "list": "scale4", "appearance": "likert",
                    "required": True, "label": loc("チェックリスト（25項目）", "Checklist (25 items)"),
                    "rows": [{"name": "c%02d" % r,
                              "label": loc("チェック項目%d：%sについて説明できる" % (r, TOPICS[r % len(TOPICS)][0]),
                                           "Item %d: can explain %s" % (r, TOPICS[r % len(TOPICS)][1]))}
                             for r in range(1, 26)]}
        if kind == "repeat":
            return {"type": "repeat", "name": "visits", "min": 1, "max": 20,
                    "label": loc("訪問記録", "Visits"),
                    "items": [
                        {"type": "select_one", "name": "visit_type", "list": "visit3", "required": True,
                         "label": loc("対応方法", "How")},
                        {"type": "integer", "name": "visit_minutes", "required": True,
                         "label": loc("所要時間（分）", "Minutes"),
                         "constraint": ". > 0 and . <= 600",
                         "constraint_message": loc("1から600までの分数を入力してください", "Enter 1 to 600 minutes")},
                        {"type": "text", "name": "visit_note", "relevant": "${visit_type} = 'home'",
                         "label": loc("訪問時のメモ", "Notes from the visit")},
                    ]}
        item = {"type": {"yn3": "select_one", "scale": "select_one", "integer": "integer", "decimal": "decimal",
                         "text": "text", "multi": "select_multiple", "date": "date"}[kind],
                "name": q["name"], "label": self.label(q)}
        if kind == "yn3":
            item["list"] = "yn3"
            item["appearance"] = "horizontal"
        elif kind == "scale":
            item["list"] = "scale4"
            item["appearance"] = "likert"
        elif kind == "multi":
            item["list"] = "needs6"
        elif kind == "text" and q["multiline"]:
            item["appearance"] = "multiline"
        if q["hint"]:
            item["hint"] = loc("わかる範囲でお答えください", "Answer as far as you know")
        if q["cond"]:
            item["relevant"] = self.cond_chosa(q["cond"])
        if q["required"]:
            item["required"] = True
        if q["constraint"]:
            item["constraint"] = ". >= 0 and . <= 120"
            item["constraint_message"] = loc("0から120までの数を入力してください", "Enter a number from 0 to 120")
        return item

    def chosa_calcs(self, p):
        out = []
        scales = self.page_scales[p]
        if p == 1:
            out.append({"type": "calculate", "name": "checklist_total", "calculation": "sum(${checklist})",
                        "label": loc("チェックリスト合計", "Checklist total")})
        if p == 2:
            out.append({"type": "calculate", "name": "visits_minutes_total", "calculation": "sum(${visit_minutes})",
                        "label": loc("訪問時間の合計", "Total visit minutes")})
        if scales:
            out.append({"type": "calculate", "name": "s%d_total" % p,
                        "calculation": " + ".join("coalesce(${%s}, 0)" % s for s in scales)})
            out.append({"type": "calculate", "name": "s%d_adj" % p,
                        "calculation": "if(${hub} = 'a', ${s%d_total}, 0)" % p})
        if p == self.page_count - 1:
            adj = ["${s%d_adj}" % k for k in range(self.page_count) if self.page_scales[k]]
            out.append({"type": "calculate", "name": "grand_total", "calculation": " + ".join(adj) or "0"})
        return out

    def chosa_form(self):
        lists = {
            "hub3": [{"value": v, "label": loc(ja, en)} for v, ja, en in HUB3],
            "yn3": [{"value": v, "label": loc(ja, en)} for v, ja, en in YN3],
            "scale4": [{"value": v, "label": loc(ja, en), "score": int(v)} for v, ja, en in SCALE4],
            "needs6": [{"value": v, "label": loc(ja, en)} for v, ja, en in NEEDS6],
            "visit3": [{"value": v, "label": loc(ja, en)} for v, ja, en in VISIT3],
        }
        pages = []
        for p, page in enumerate(self.pages):
            items = [self.chosa_item(q) for q in page] + self.chosa_calcs(p)
            pages.append({"type": "page", "name": "p%03d" % p,
                          "label": loc("第%d部" % (p + 1), "Part %d" % (p + 1)), "items": items})
        return {"format": 1, "id": "bench_%d" % self.n, "version": "2024.1",
                "title": loc("ベンチマーク調査（%d問）" % self.n, "Benchmark survey (%d questions)" % self.n),
                "languages": ["ja", "en"], "choice_lists": lists, "items": pages}

    # ----------------------------------------------------------------------------------------
    # SurveyJS's format

    def sjs_question(self, q):
        kind = q["kind"]
        if kind == "hub":
            return {"type": "radiogroup", "name": "hub", "isRequired": True,
                    "title": sjs_loc("事業所の種別", "Type of organisation"),
                    "description": sjs_loc("以降の設問はこの回答によって変わります", "Later questions depend on this answer"),
                    "choices": choices_sjs(HUB3)}
        if kind == "leaf":
            return {"type": "text", "inputType": "number", "name": "leaf",
                    "title": sjs_loc("回答者の年齢", "Age of the respondent"),
                    "validators": [{"type": "expression", "expression": "{leaf} empty or ({leaf} >= 0 and {leaf} <= 150)",
                                    "text": sjs_loc("0から150までの数を入力してください", "Enter a number from 0 to 150")}]}
        if kind == "matrix":
            return {"type": "matrix", "name": "checklist", "isAllRowRequired": True, "isRequired": True,
                    "title": sjs_loc("チェックリスト（25項目）", "Checklist (25 items)"),
                    "columns": choices_sjs(SCALE4, numeric=True),
                    "rows": [{"value": "c%02d" % r,
                              "text": sjs_loc("チェック項目%d：%sについて説明できる" % (r, TOPICS[r % len(TOPICS)][0]),
                                              "Item %d: can explain %s" % (r, TOPICS[r % len(TOPICS)][1]))}
                             for r in range(1, 26)]}
        if kind == "repeat":
            return {"type": "paneldynamic", "name": "visits", "title": sjs_loc("訪問記録", "Visits"),
                    "panelCount": 1, "minPanelCount": 1, "maxPanelCount": 20,
                    "templateElements": [
                        {"type": "radiogroup", "name": "visit_type", "isRequired": True,
                         "title": sjs_loc("対応方法", "How"), "choices": choices_sjs(VISIT3)},
                        {"type": "text", "inputType": "number", "name": "visit_minutes", "isRequired": True,
                         "title": sjs_loc("所要時間（分）", "Minutes"),
                         "validators": [{"type": "expression",
                                         "expression": "{panel.visit_minutes} empty or ({panel.visit_minutes} > 0 and {panel.visit_minutes} <= 600)",
                                         "text": sjs_loc("1から600までの分数を入力してください", "Enter 1 to 600 minutes")}]},
                        {"type": "text", "name": "visit_note", "visibleIf": "{panel.visit_type} = 'home'",
                         "title": sjs_loc("訪問時のメモ", "Notes from the visit")},
                    ]}
        lab = self.label(q)
        out = {"name": q["name"], "title": sjs_loc(lab["ja"], lab["en"])}
        if kind == "yn3":
            out.update(type="radiogroup", choices=choices_sjs(YN3), colCount=3)
        elif kind == "scale":
            out.update(type="radiogroup", choices=choices_sjs(SCALE4, numeric=True), colCount=4)
        elif kind == "integer":
            out.update(type="text", inputType="number")
        elif kind == "decimal":
            out.update(type="text", inputType="number", step=0.1)
        elif kind == "text":
            out.update(type="comment" if q["multiline"] else "text")
        elif kind == "multi":
            out.update(type="checkbox", choices=choices_sjs(NEEDS6))
        elif kind == "date":
            out.update(type="text", inputType="date")
        out = {"type": out.pop("type"), **out}
        if q["hint"]:
            out["description"] = sjs_loc("わかる範囲でお答えください", "Answer as far as you know")
        if q["cond"]:
            out["visibleIf"] = self.cond_sjs(q["cond"])
        if q["required"]:
            out["isRequired"] = True
        if q["constraint"]:
            n = q["name"]
            out["validators"] = [{"type": "expression",
                                  "expression": "{%s} empty or ({%s} >= 0 and {%s} <= 120)" % (n, n, n),
                                  "text": sjs_loc("0から120までの数を入力してください", "Enter a number from 0 to 120")}]
        return out

    def sjs_calcs(self):
        out = []
        out.append({"name": "checklist_total", "includeIntoResult": True,
                    "expression": "sum(%s)" % ", ".join("{checklist.c%02d}" % r for r in range(1, 26))})
        out.append({"name": "visits_minutes_total", "includeIntoResult": True,
                    "expression": "sumInArray({visits}, 'visit_minutes')"})
        adj = []
        for p in range(self.page_count):
            scales = self.page_scales[p]
            if not scales:
                continue
            out.append({"name": "s%d_total" % p, "includeIntoResult": True,
                        "expression": "sum(%s)" % ", ".join("{%s}" % s for s in scales)})
            out.append({"name": "s%d_adj" % p, "includeIntoResult": True,
                        "expression": "iif({hub} = 'a', {s%d_total}, 0)" % p})
            adj.append("{s%d_adj}" % p)
        out.append({"name": "grand_total", "includeIntoResult": True,
                    "expression": "sum(%s)" % ", ".join(adj) if adj else "0"})
        return out

    def sjs_form(self):
        pages = []
        for p, page in enumerate(self.pages):
            pages.append({"name": "p%03d" % p, "title": sjs_loc("第%d部" % (p + 1), "Part %d" % (p + 1)),
                          "elements": [self.sjs_question(q) for q in page]})
        return {"title": sjs_loc("ベンチマーク調査（%d問）" % self.n, "Benchmark survey (%d questions)" % self.n),
                "locale": "ja", "pages": pages, "calculatedValues": self.sjs_calcs()}

    # ----------------------------------------------------------------------------------------
    # The plan: answers, checks and the generator's expectations.

    def sjs_value(self, kind, text):
        if kind in ("scale", "integer", "leaf"):
            return int(text)
        if kind == "decimal":
            return float(text)
        if kind == "multi":
            return text.split()
        return text

    def fill(self, hub_value):
        """The complete filling with the hub at `hub_value`: every required visible question and
        9 in 10 of the optional ones. Returns (chosa answers in order, SurveyJS data, answer map)."""
        answers = []          # [path, text]
        data = {}
        amap = {}             # name -> chosa text, what expressions read (the model)
        fill_rng = random.Random(self.n * 7 + 11)
        for page in self.pages:
            for q in page:
                kind = q["kind"]
                if kind == "hub":
                    answers.append(["hub", hub_value]); data["hub"] = hub_value; amap["hub"] = hub_value
                elif kind == "leaf":
                    answers.append(["leaf", "40"]); data["leaf"] = 40; amap["leaf"] = "40"
                elif kind == "matrix":
                    m = {}
                    for row, v in self.matrix_answers.items():
                        answers.append([row, v]); m[row] = int(v); amap[row] = v
                    data["checklist"] = m
                elif kind == "repeat":
                    panels = []
                    for k, inst in enumerate(self.visit_answers, start=1):
                        panel = {}
                        for child, v in inst.items():
                            answers.append(["visits[%d]/%s" % (k, child), v])
                            panel[child] = int(v) if child == "visit_minutes" else v
                        panels.append(panel)
                    data["visits"] = panels
                else:
                    visible = q["cond"] is None or self.cond_eval(q["cond"], amap)
                    if not visible:
                        continue
                    if not q["required"] and fill_rng.random() < 0.1:
                        continue
                    text = q["answer_value"]
                    answers.append([q["name"], text]); data[q["name"]] = self.sjs_value(kind, text); amap[q["name"]] = text
        return answers, data, amap

    def expect(self, amap, instances, visit_answers):
        """Visible items, calculated values and items with errors, as the contracts define them."""
        visible = []
        errors = set()
        for page in self.pages:
            for q in page:
                kind = q["kind"]
                if kind == "repeat":
                    visible.append("visits")
                    for k in range(1, instances + 1):
                        inst = visit_answers[k - 1] if k - 1 < len(visit_answers) else {}
                        visible.append("visits[%d]/visit_type" % k)
                        visible.append("visits[%d]/visit_minutes" % k)
                        if inst.get("visit_type") == "home":
                            visible.append("visits[%d]/visit_note" % k)
                        if "visit_type" not in inst or "visit_minutes" not in inst:
                            errors.add("visits")
                    continue
                if q["cond"] is not None and not self.cond_eval(q["cond"], amap):
                    continue
                visible.append(q["name"])
                if kind == "matrix":
                    if any(("c%02d" % r) not in amap for r in range(1, 26)):
                        errors.add("checklist")
                elif q["required"] and q["name"] not in amap:
                    errors.add(q["name"])
        calcs = {}
        calcs["checklist_total"] = sum(int(amap[r]) for r in ("c%02d" % i for i in range(1, 26)) if r in amap)
        calcs["visits_minutes_total"] = sum(int(v["visit_minutes"]) for v in visit_answers[:instances]
                                            if "visit_minutes" in v)
        grand = 0
        for p in range(self.page_count):
            scales = self.page_scales[p]
            if not scales:
                continue
            total = sum(int(amap[s]) for s in scales if s in amap)
            adj = total if amap.get("hub") == "a" else 0
            calcs["s%d_total" % p] = total
            calcs["s%d_adj" % p] = adj
            grand += adj
        calcs["grand_total"] = grand
        return {"visible": sorted(visible), "values": calcs, "errors": sorted(errors)}

    def plan(self):
        answers, data, amap = self.fill("a")
        hub_dependents = sum(1 for page in self.pages for q in page
                             if q["cond"] and q["cond"][0] in ("hub_eq", "hub_ne", "hub_ne_and_gate"))
        calcs = ["checklist_total", "visits_minutes_total"]
        for p in range(self.page_count):
            if self.page_scales[p]:
                calcs += ["s%d_total" % p, "s%d_adj" % p]
        calcs.append("grand_total")
        # The check: snapshots after each step, compared between the engines and with `expected`.
        steps = [
            {"name": "start", "do": []},
            {"name": "filled", "do": [{"fill": True}]},
            {"name": "hub_b", "do": [{"set": "hub", "text": "b", "sjs": "b"}]},
            {"name": "hub_c", "do": [{"set": "hub", "text": "c", "sjs": "c"}]},
            {"name": "edits", "do": [
                {"set": self.score["name"], "text": "1", "sjs": 1},
                {"set": "c07", "text": "", "sjs": None, "sjs_matrix": "checklist"},
                {"set": "visits[2]/visit_type", "text": "home", "sjs": "home", "sjs_panel": ["visits", 1, "visit_type"]},
                {"set": "visits[3]/visit_minutes", "text": "", "sjs": None, "sjs_panel": ["visits", 2, "visit_minutes"]},
            ]},
            {"name": "hub_a", "do": [
                {"set": "hub", "text": "a", "sjs": "a"},
                {"set": self.score["name"], "text": amap[self.score["name"]], "sjs": int(amap[self.score["name"]])},
                {"set": "c07", "text": self.matrix_answers["c07"], "sjs": int(self.matrix_answers["c07"]), "sjs_matrix": "checklist"},
                {"set": "visits[2]/visit_type", "text": self.visit_answers[1]["visit_type"], "sjs": self.visit_answers[1]["visit_type"],
                 "sjs_panel": ["visits", 1, "visit_type"]},
                {"set": "visits[3]/visit_minutes", "text": self.visit_answers[2]["visit_minutes"],
                 "sjs": int(self.visit_answers[2]["visit_minutes"]), "sjs_panel": ["visits", 2, "visit_minutes"]},
            ]},
        ]
        # Expectations, replaying the steps on the model.
        expected = {}
        expected["start"] = self.expect({}, 1, [])
        cur = dict(amap)
        visits = [dict(v) for v in self.visit_answers]
        expected["filled"] = self.expect(cur, REPEAT_INSTANCES, visits)
        cur["hub"] = "b"; expected["hub_b"] = self.expect(cur, REPEAT_INSTANCES, visits)
        cur["hub"] = "c"; expected["hub_c"] = self.expect(cur, REPEAT_INSTANCES, visits)
        cur[self.score["name"]] = "1"
        del cur["c07"]
        visits[1]["visit_type"] = "home"
        del visits[2]["visit_minutes"]
        expected["edits"] = self.expect(cur, REPEAT_INSTANCES, visits)
        cur = dict(amap)
        visits = [dict(v) for v in self.visit_answers]
        expected["hub_a"] = self.expect(cur, REPEAT_INSTANCES, visits)

        score_value = amap[self.score["name"]]
        other_score = "4" if score_value != "4" else "3"
        return {
            "n": self.n,
            "pages": self.page_count,
            "hub_dependents": {"relevance": hub_dependents,
                               "calculations": sum(1 for p in range(self.page_count) if self.page_scales[p])},
            "timed": [
                {"kind": "hub", "path": "hub", "texts": ["b", "a"], "sjs": ["b", "a"]},
                {"kind": "leaf", "path": "leaf", "texts": ["41", "40"], "sjs": [41, 40]},
                {"kind": "score", "path": self.score["name"], "texts": [other_score, score_value],
                 "sjs": [int(other_score), int(score_value)]},
            ],
            "repeat": {"name": "visits", "children": ["visit_type", "visit_minutes", "visit_note"],
                       "instances": REPEAT_INSTANCES},
            "matrix": {"name": "checklist", "rows": ["c%02d" % r for r in range(1, 26)]},
            "calculations": calcs,
            "answers": answers,
            "sjs_data": data,
            "steps": steps,
            "expected": expected,
        }


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="directory to write into (created)")
    ap.add_argument("--sizes", default="200,2000,10000", help="comma-separated N")
    ap.add_argument("--seed", type=int, default=20241103)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for n in (int(s) for s in args.sizes.split(",") if s):
        g = Generator(n, args.seed)
        g.build()
        write_json(os.path.join(args.out, "form_%d.chosa.json" % n), g.chosa_form())
        write_json(os.path.join(args.out, "form_%d.surveyjs.json" % n), g.sjs_form())
        plan = g.plan()
        write_json(os.path.join(args.out, "plan_%d.json" % n), plan)
        print("N=%d: %d pages, %d answers, hub read by %d relevance + %d calculations"
              % (n, g.page_count, len(plan["answers"]), plan["hub_dependents"]["relevance"],
                 plan["hub_dependents"]["calculations"]), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
