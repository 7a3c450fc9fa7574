#!/usr/bin/python3
"""Checks the JSON Schemas against the files they describe: every example form validates
against schemas/form.schema.json, every code list against schemas/codelist.schema.json, and a
few forms the loader refuses for a property-level fault are refused by the schema too; every
sample submission (tests/forms/submissions/) validates against schemas/submission.schema.json
and is in canonical form.
With arguments (`check_schemas.py --submissions FILE...`), checks only those submissions: the
`chosa fill` tests pass the ones they have just written.
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


# The envelope's keys in the order the canonical bytes have them (docs/submission.md).
SUBMISSION_KEYS = ["uuid", "form_id", "form_version", "device_id", "enumerator_id", "instance_name",
                   "language", "started_at", "ended_at", "replaces", "answers", "audit"]


def check_submission(schema, path):
    """Problems of one submission file: schema faults, key order, non-canonical bytes."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return [f"{path}: not UTF-8 JSON: {e}"]
    problems = [f"{path}: /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema.iter_errors(doc)]
    if isinstance(doc, dict):
        keys = [k for k in doc if k in SUBMISSION_KEYS]
        if keys != sorted(keys, key=SUBMISSION_KEYS.index):
            problems.append(f"{path}: envelope keys out of order: {list(doc)}")
    # Canonical: no whitespace between tokens, non-ASCII as UTF-8; Python writes numbers and
    # escapes as nlohmann/json does for the values a submission holds.
    if json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8") != raw:
        problems.append(f"{path}: not in canonical form (whitespace, escapes or a trailing newline)")
    return problems


if len(sys.argv) > 1 and sys.argv[1] == "--submissions":
    submission_schema = validator("submission.schema.json")
    problems = [p for path in sys.argv[2:] for p in check_submission(submission_schema, path)]
    for p in problems:
        print(p)
    for path in sys.argv[2:]:
        print(f"{path}: {'INVALID' if any(p.startswith(path + ':') for p in problems) else 'valid'}")
    sys.exit(1 if problems or len(sys.argv) < 3 else 0)

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

# Submissions written by `chosa fill` (regenerate: docs/submission.md).
submission_schema = validator("submission.schema.json")
for path in sorted(glob.glob(os.path.join(root, "tests", "forms", "submissions", "*.json"))):
    problems = check_submission(submission_schema, path)
    for p in problems:
        print(p)
    failures += len(problems)
    print(f"{os.path.relpath(path, root)}: {'valid' if not problems else 'INVALID'}")

# An audit trail of another shape is refused (the sample visit_record_audit.json has a valid one).
audited = load(os.path.join(root, "tests", "forms", "submissions", "visit_record_audit.json"))
for broken in ([{"at": "2024-11-03T10:30:30.000+09:00", "path": "age"}],
               [{"at": "yesterday", "path": "age", "old": "", "new": "82"}],
               [{"at": "2024-11-03T10:30:30.000+09:00", "path": "age", "old": "", "new": 82}]):
    if submission_schema.is_valid(dict(audited, audit=broken)):
        print(f"the submission schema accepts a malformed audit trail: {broken}")
        failures += 1

print("schemas: all checks passed" if not failures else f"schemas: {failures} problems")
sys.exit(1 if failures else 0)
