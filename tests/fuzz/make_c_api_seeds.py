#!/usr/bin/env python3
"""Writes the seed corpus of the C API's fuzz target (tests/fuzz/c_api_fuzz.cpp) into
tests/fuzz/corpus/c_api/seed_*: a few meaningful sequences of calls in the target's byte
encoding. The ops and the dictionaries are read from c_api_fuzz.cpp itself, so the seeds follow
it when it changes (run this again, and commit the seeds).

    tests/fuzz/make_c_api_seeds.py
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = open(os.path.join(HERE, "c_api_fuzz.cpp"), encoding="utf-8").read()

OPS = re.search(r"enum Op : uint8_t \{(.*?)\};", SOURCE, re.S).group(1).replace(",", " ").split()
OP = {name: i for i, name in enumerate(OPS) if name != "kOpCount"}
DICTS = {}
for name, body in re.findall(r"const char\* const (k\w+)\[\] = \{(.*?)\};", SOURCE, re.S):
    DICTS[name] = re.findall(r'"((?:[^"\\]|\\.)*)"', body)


def s(dictionary, value):
    """A string argument taken from `dictionary` (the value as a Python string)."""
    literal = value.replace("\\", "\\\\").replace('"', '\\"')
    return [DICTS[dictionary].index(literal)]


def raw(text):
    data = text.encode("utf-8") if isinstance(text, str) else text
    assert len(data) < 64
    return [0xF0, len(data)] + list(data)


def op(name, *args):
    out = [OP[name]]
    for a in args:
        out += a if isinstance(a, list) else [a]
    return out


def answer(slot, path, text):
    return op("kSetAnswer", slot, s("kPaths", path), s("kTexts", text))


def answer_json(slot, path, value):
    return op("kSetAnswerJson", slot, s("kPaths", path), s("kJson", value))


def message(slot, op_name, fields=(), version=None, request_id=None, mutation=7):
    """An action message: `fields` are (field, kind, argument bytes) with the kinds of Message()."""
    shape = (1 if version is not None else 0) | (4 if request_id is not None else 0)
    out = op("kMessage", slot, shape)
    if version is not None:
        out.append(version)
    out.append(DICTS["kOps"].index(op_name))
    if request_id is not None:
        out.append(request_id & 0xFF)
    out.append(len(fields))
    for field, kind, argument in fields:
        out += [DICTS["kFields"].index(field), kind] + (argument if isinstance(argument, list) else [argument])
    out.append(mutation)
    return out


def form_id(value):
    return ("form_id", 0, s("kFormIds", value))


def path(value):
    return ("path", 1, s("kPaths", value))


def text(value):
    return ("text", 2, s("kTexts", value))


def small(field, value):
    return (field, 4, [value & 0xFF])


def fill_visit(slot):
    return (op("kStart", slot, s("kFormIds", "visit_record"), s("kTexts", "OK"), s("kLanguages", "en"))
            + answer(slot, "age", "82") + answer(slot, "adl_eat", "3") + answer(slot, "adl_bath", "2")
            + answer(slot, "visits[1]/visit_date", "2024-11-02"))


SEEDS = {
    # A visit filled page by page, reviewed and finalized; its submission read back; the
    # finalized draft used again (CHOSA_MISUSE) and closed twice.
    "seed_fill_finalize": fill_visit(0)
    + op("kAddInstance", 0, s("kRepeats", "visits"))
    + answer_json(0, "visits[2]/services", '["nursing","other"]')
    + op("kRemoveInstance", 0, s("kRepeats", "visits"), 2)
    + op("kNext", 0) + op("kBack", 0) + op("kGoToPage", 0, 1) + op("kSetLanguage", 0, s("kLanguages", "ja"))
    + op("kReview", 0) + answer(0, "confirmed", "OK") + op("kView", 0) + op("kFinalize", 0)
    + op("kList", s("kStates", "finalized"), s("kLanguages", "en")) + op("kReadSubmission", 0)
    + answer(0, "age", "65") + op("kFinalize", 0) + op("kCloseDraft", 0) + op("kCloseDraft", 0)
    + op("kView", 0),
    # Refused answers of every kind: out of range, not a number, wrong JSON types, bad paths.
    "seed_refusals": op("kStart", 1, s("kFormIds", "visit_record"), s("kTexts", ""), s("kLanguages", "ja"))
    + answer(1, "age", "121") + answer(1, "age", "not a date") + answer_json(1, "age", '"82"')
    + answer_json(1, "visits[1]/services", '["swimming"]') + answer_json(1, "sex", "[1]")
    + answer(1, "visits[6]/visit_date", "2024-11-02") + answer(1, "visits[0]/visit_date", "2024-11-02")
    + answer(1, "adl_total", "3") + answer(1, "p_visit", "1") + answer(1, "", "1")
    + op("kRemoveInstance", 1, s("kRepeats", "visits"), 1) + op("kAddInstance", 1, s("kRepeats", "age"))
    + op("kGoToPage", 1, 0x80) + op("kSetLanguage", 1, s("kLanguages", "fr")) + op("kNext", 1)
    + op("kFinalize", 1),
    # The store closed under two drafts and a channel; everything of it used afterwards, the
    # store closed again.
    "seed_close_store": fill_visit(0) + op("kStart", 2, s("kFormIds", "coordinator_checklist"), s("kTexts", ""),
                                           s("kLanguages", "ja"))
    + op("kChannelOpen", 0, s("kTexts", "OK")) + message(0, "start", [form_id("visit_record")])
    + op("kCloseStore")
    + answer(0, "age", "70") + op("kView", 2) + op("kFinalize", 0) + op("kNext", 2)
    + message(0, "view") + message(0, "answer", [path("age"), text("82")])
    + op("kList", s("kStates", "draft"), s("kLanguages", "en")) + op("kStart", 1, s("kFormIds", "visit_record"),
                                                                      s("kTexts", ""), s("kLanguages", "en"))
    + op("kSync") + op("kChannelClose", 0) + op("kCloseDraft", 0) + op("kCloseStore"),
    # A renderer's whole filling through action messages, then the same channel misused.
    "seed_actions": op("kChannelOpen", 1, s("kTexts", "OK"))
    + message(1, "forms", request_id=7)
    + message(1, "start", [form_id("visit_record")])
    + message(1, "answer", [path("age"), text("82")])
    + message(1, "answer", [path("adl_eat"), text("3")])
    + message(1, "answer", [path("adl_bath"), text("2")])
    + message(1, "answer", [path("visits[1]/visit_date"), text("2024-11-02")])
    + message(1, "add_instance", [("repeat", 1, s("kPaths", "visits"))])
    + message(1, "remove_instance", [("repeat", 1, s("kPaths", "visits")), small("position", 2)])
    + message(1, "next") + message(1, "review") + message(1, "answer", [path("confirmed"), text("OK")])
    + message(1, "finalize") + message(1, "drafts")
    + message(1, "view") + message(1, "bogus") + message(1, "answer", [path("age")], version=1)
    + message(1, "go_to", [small("page", -1)]) + op("kChannelClose", 1) + message(1, "forms"),
    # A draft left, resumed, deleted while open, then used; deleting it twice.
    "seed_resume_delete": op("kStart", 0, s("kFormIds", "visit_record"), s("kTexts", ""), s("kLanguages", "en"))
    + answer(0, "age", "70") + op("kCloseDraft", 0) + op("kResume", 1, 0) + op("kView", 1)
    + op("kDeleteDraft", 0) + answer(1, "age", "65") + op("kView", 1) + op("kFinalize", 1)
    + op("kDeleteDraft", 0) + op("kResume", 2, 0) + op("kResume", 2, 0xFF),
    # coordinator_checklist: code lists through $ref, a matrix, relevance across pages.
    "seed_checklist": op("kStart", 0, s("kFormIds", "coordinator_checklist"), s("kTexts", ""), s("kLanguages", "en"))
    + answer(0, "ward", "271276") + answer(0, "hire_month", "2024-04-01") + answer(0, "year_in_post", "1")
    + answer(0, "milestone", "12") + answer(0, "briefing", "yes") + answer(0, "checklist_mindset", "3")
    + op("kNext", 0) + answer(0, "checklist_c01", "3") + answer_json(0, "checklist_c02", '"OK"')
    + op("kGoToPage", 0, 2) + answer(0, "lecture_attended", "yes") + answer(0, "confident_after_lecture", "no")
    + op("kReview", 0) + op("kFinalize", 0) + op("kSetLanguage", 0, s("kLanguages", "ja")) + op("kView", 0),
    # Forms: loaded, described, freed twice; parsed from broken text; installed from fuzzed text.
    "seed_forms": op("kLoadForm", s("kFormIds", "visit_record"), s("kVersions", ""), s("kLanguages", "ja"))
    + op("kLoadForm", s("kFormIds", "coordinator_checklist"), s("kVersions", "2024.1"), s("kLanguages", "fr"))
    + op("kLoadForm", s("kFormIds", "nope"), s("kVersions", "x"), s("kLanguages", ""))
    + op("kParseForm", s("kJson", '{"a":')) + op("kParseForm", raw('{"format":1,"id":"f","version":"1"}'))
    + op("kInstall", s("kJson", "{}")) + op("kInstall", raw('{"format":1,"items":[]}'))
    + op("kList", s("kStates", "archived"), s("kLanguages", "ja")) + op("kSync"),
    # Raw and mutated action messages, a channel with and without a draft.
    "seed_messages": op("kChannelOpen", 0, s("kTexts", ""))
    + op("kRawMessage", 0, s("kJson", "{}")) + op("kRawMessage", 0, s("kJson", "[[]]"))
    + op("kRawMessage", 0, raw('{"v":1,"op":"start","form_id":"visit_record"}'))
    + op("kRawMessage", 0, raw('{"v":1,"op":"answer","path":"age","value":[1]}'))
    + op("kRawMessage", 0, raw('{"v":1,"op":"resume","draft_id":1e3}'))
    + message(0, "answer", [path("age"), text("82")], mutation=0) + [40]
    + message(0, "next", mutation=1) + [3, 0x20]
    + message(0, "delete", [("draft_id", 3, [0])])
    + message(0, "view", mutation=3) + s("kTexts", "OK"),
    # Dangling handles: a draft and a channel released, their slots used, new ones made.
    "seed_dangling": fill_visit(0) + op("kCloseDraft", 0) + answer(0, "age", "70") + op("kView", 0)
    + fill_visit(1) + op("kView", 0) + op("kFinalize", 0) + op("kChannelOpen", 0, s("kTexts", ""))
    + op("kChannelClose", 0) + message(0, "forms") + op("kChannelOpen", 1, s("kTexts", "")) + message(0, "forms")
    + op("kCloseDraft", 1) + op("kCloseDraft", 1) + op("kCloseStore") + op("kCloseStore"),
    "seed_empty": [],
}


def main():
    corpus = os.path.join(HERE, "corpus", "c_api")
    os.makedirs(corpus, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(corpus, name), "wb") as f:
            f.write(bytes(data))
    print(f"{len(SEEDS)} seeds in {os.path.relpath(corpus)}")


if __name__ == "__main__":
    main()
