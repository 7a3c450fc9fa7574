#!/usr/bin/python3
"""The action messages' schema (schemas/action.schema.json) and the engine agree, both ways.

Runs PROGRAM (the action tests linked with action_recorder.cpp) with CHOSA_ACTION_LOG=LOG, so
that every request they send through chosa_actions_handle and every reply they get is one line
of LOG, then checks each line:
  - the reply is a reply of the schema (#/$defs/reply);
  - a request the schema accepts got the reply the schema gives its op (#/$defs/reply_OP), and,
    if refused, not for its shape: no error that points into the request (a "pointer") without
    an answer's path;
  - a request the schema refuses was refused by the engine.
Then: every hand-written bad request (action_bad_requests.jsonl) is refused by the schema and
was sent (the program checks that the engine refused each one).
Uses Debian's python3-jsonschema; exits non-zero on any disagreement.

usage: check_action_schema.py PROGRAM LOG"""
import json
import os
import subprocess
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def main():
    program, log = sys.argv[1], sys.argv[2]
    with open(os.path.join(root, "schemas", "action.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)

    def validator(definition):
        # The root schema with its top level pointed at one definition, so that $refs resolve.
        rooted = {k: v for k, v in schema.items() if k != "oneOf"}
        rooted["$ref"] = "#/$defs/" + definition
        return jsonschema.Draft202012Validator(rooted)

    whole = jsonschema.Draft202012Validator(schema)
    request_schema = validator("request")
    reply_schema = validator("reply")
    ops = schema["$defs"]["request"]["properties"]["op"]["enum"]
    reply_for = {op: validator("reply_" + op) for op in ops}

    if os.path.exists(log):
        os.remove(log)
    run = subprocess.run([program], env=dict(os.environ, CHOSA_ACTION_LOG=log), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        print(run.stdout)
        print(f"{program} failed ({run.returncode})")
        return 1

    problems = []

    def faults(v, doc):
        return "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc))

    exchanges = []
    with open(log, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            exchanges.append((number, json.loads(line)))
    accepted = refused_by_schema = 0
    sent = set()
    for number, record in exchanges:
        where = f"{log}:{number}: {record['request'][:200]}"
        sent.add(record["request"])
        if record["reply"] is None:
            continue  # no reply: a bad handle (CHOSA_MISUSE), which the tests provoke on purpose
        reply = json.loads(record["reply"])
        if not reply_schema.is_valid(reply):
            problems.append(f"{where}: the reply is not one of the schema: {faults(reply_schema, reply)}")
            continue
        try:
            request = json.loads(record["request"])
        except ValueError:
            request = None
        if request is not None and request_schema.is_valid(request):
            accepted += 1
            op_schema = reply_for[request["op"]]
            if not op_schema.is_valid(reply):
                problems.append(f"{where}: not the reply to \"{request['op']}\": {faults(op_schema, reply)}")
            error = reply.get("error")
            if error and error["pointer"] and not error["path"] and error["code"] != "misuse":
                problems.append(f"{where}: the schema accepts it, the engine refuses its shape: {error}")
        else:
            refused_by_schema += 1
            if reply["ok"]:
                why = faults(request_schema, request) if request is not None else "not JSON"
                problems.append(f"{where}: the schema refuses it ({why}), the engine accepted it")

    # The hand-written bad requests: refused by the schema, and sent (and refused) by the program.
    bad_count = 0
    with open(os.path.join(here, "action_bad_requests.jsonl"), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            bad = json.loads(line)
            bad_count += 1
            try:
                doc = json.loads(bad["request"])
            except ValueError:
                doc = None
            if doc is not None and whole.is_valid(doc):
                problems.append(f"action_bad_requests.jsonl: the schema accepts {bad['why']}: {bad['request']}")
            if bad["request"] not in sent:
                problems.append(f"action_bad_requests.jsonl: never sent to the engine: {bad['request']}")

    for p in problems:
        print(p)
    print(f"{len(exchanges)} exchanges: {accepted} requests the schema accepts, {refused_by_schema} it refuses; "
          f"{bad_count} hand-written bad requests")
    print("action schema: the engine agrees" if not problems else f"action schema: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
