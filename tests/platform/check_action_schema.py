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
was sent (the program checks that the engine refused each one); and every example of
docs/c-api.md "Action messages" is a request or a reply of the schema, the abbreviated parts
("view": {…}) filled in from the log; a request marked "✗" must be refused by the schema.
Uses Debian's python3-jsonschema; exits non-zero on any disagreement.

usage: check_action_schema.py PROGRAM LOG"""
import json
import os
import re
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
        return "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in v.iter_errors(doc))

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

    # The examples of docs/c-api.md: requests as written, replies with "KEY": {…} / [...] filled in.
    recorded = {}
    for _, record in exchanges:
        if record["reply"]:
            reply = json.loads(record["reply"])
            for key in ("view", "review", "forms", "drafts"):
                if reply.get("ok") and key in reply and reply[key]:
                    recorded.setdefault(key, reply[key])
    examples = 0
    example_ops = set()
    last_op = None
    doc_path = os.path.join(root, "docs", "c-api.md")
    doc_text = open(doc_path, encoding="utf-8").read() if os.path.exists(doc_path) else ""
    section = re.search(r"<!-- actions:begin -->(.*?)<!-- actions:end -->", doc_text, re.S)
    if not section:
        problems.append("docs/c-api.md: no <!-- actions:begin --> ... <!-- actions:end --> section")
    else:
        for line in section.group(1).splitlines():
            m = re.match(r"^(→|←) (.*)$", line)
            if not m:
                continue
            text = m.group(2)
            malformed = m.group(1) == "→" and text.startswith("✗ ")  # a request the schema must refuse
            if malformed:
                text = text[2:]
            for key, value in recorded.items():
                text = re.sub(r'"%s": ?(\{…\}|\[…\])' % key, lambda _: f'"{key}": ' + json.dumps(value, ensure_ascii=False), text)
            try:
                doc = json.loads(text)
            except ValueError as e:
                problems.append(f"docs/c-api.md: an example is not JSON ({e}): {m.group(2)}")
                continue
            examples += 1
            v = request_schema if m.group(1) == "→" else reply_schema
            if malformed:
                if v.is_valid(doc):
                    problems.append(f"docs/c-api.md: the schema accepts the example marked ✗: {m.group(2)}")
                last_op = None
                continue
            if not v.is_valid(doc):
                problems.append(f"docs/c-api.md: the example is not a {'request' if m.group(1) == '→' else 'reply'}"
                                f" of the schema: {faults(v, doc)}: {m.group(2)}")
            if m.group(1) == "→":
                last_op = doc.get("op")
                example_ops.add(last_op)
            elif last_op in reply_for and not reply_for[last_op].is_valid(doc):
                problems.append(f"docs/c-api.md: not the reply to \"{last_op}\": {faults(reply_for[last_op], doc)}")
        for op in ops:
            if op not in example_ops:
                problems.append(f"docs/c-api.md: no example of \"{op}\"")

    for p in problems:
        print(p)
    print(f"{len(exchanges)} exchanges: {accepted} requests the schema accepts, {refused_by_schema} it refuses; "
          f"{bad_count} hand-written bad requests; {examples} examples of docs/c-api.md")
    print("action schema: the engine agrees" if not problems else f"action schema: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
