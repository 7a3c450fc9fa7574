#!/usr/bin/python3
"""Checks schemas/scenario.schema.json against the scenarios it describes: every example
scenario (schemas/examples/scenarios/FORM_ID/*.json) and the deliberately wrong one validate, the
scenario with misspelt keys is refused, and every example form has at least 3 scenarios.
Uses Debian's python3-jsonschema; exits non-zero on any disagreement."""
import glob
import json
import os
import sys

import jsonschema

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


schema = load(os.path.join(root, "schemas", "scenario.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failures = 0

scenarios = sorted(glob.glob(os.path.join(root, "schemas", "examples", "scenarios", "*", "*.json")))
scenarios.append(os.path.join(root, "tests", "forms", "scenarios", "wrong_total.json"))
for path in scenarios:
    errors = list(validator.iter_errors(load(path)))
    for e in errors:
        print(f"{path}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    failures += len(errors)
    print(f"{os.path.relpath(path, root)}: {'valid' if not errors else 'INVALID'}")

# The schema sees what chosa test refuses before running: unknown keys, two actions in a step.
bad = os.path.join(root, "tests", "forms", "scenarios", "misspelt_keys.json")
if validator.is_valid(load(bad)):
    print(f"{bad}: the schema accepts a scenario chosa test refuses")
    failures += 1
else:
    print(f"{os.path.relpath(bad, root)}: refused, as by chosa test")

for form in sorted(glob.glob(os.path.join(root, "schemas", "examples", "*.json"))):
    form_id = load(form)["id"]
    count = len(glob.glob(os.path.join(root, "schemas", "examples", "scenarios", form_id, "*.json")))
    if count < 3:
        print(f"{os.path.relpath(form, root)}: {count} scenarios; every example form needs at least 3")
        failures += 1

print("scenarios: all checks passed" if not failures else f"scenarios: {failures} problems")
sys.exit(1 if failures else 0)
