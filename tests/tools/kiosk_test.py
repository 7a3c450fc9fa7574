#!/usr/bin/env python3
"""`chosa kiosk` as a browser and as a hostile neighbour on loopback would meet it.

    kiosk_test.py CHOSA SOURCE_DIR

Starts real kiosks on free ports and checks: the page carries this start's token and mode; a
message without the token, with another Host (DNS rebinding), of another type, not JSON or too
large gets a 4xx with a reason and changes nothing; a whole visit record filled by messages ends
in the store's outbox with its answers; a restarted page finds its open draft; --loop neither
lists nor resumes drafts and lets an idle person's draft go to the store; a non-loopback address
and a port already taken are refused. Prints one line per check; exit status 1 on a failure.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHOSA, SOURCE = sys.argv[1], sys.argv[2]
FORM = os.path.join(SOURCE, "tests/forms/fill/visit_record.json")
failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + str(detail)))
    if not ok:
        failures += 1


class Kiosk:
    def __init__(self, directory, *extra):
        self.port_file = os.path.join(directory, "port-%d" % time.monotonic_ns())
        self.process = subprocess.Popen(
            [CHOSA, "kiosk", FORM, "--store", os.path.join(directory, "store.sqlite"), "--listen", "127.0.0.1:0",
             "--port-file", self.port_file, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(500):
            if os.path.exists(self.port_file) or self.process.poll() is not None:
                break
            time.sleep(0.01)
        if not os.path.exists(self.port_file):
            raise SystemExit("the kiosk did not start: " + self.process.stderr.read())
        self.port = int(open(self.port_file).read())
        page = self.get("/")[1]
        self.page = page
        self.token = page.split('name="chosa-token" content="')[1].split('"')[0]

    def request(self, method, path, body=None, headers=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=body, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def send(self, message, token=None, content_type="application/json", raw=None):
        headers = {"Content-Type": content_type, "X-Chosa-Token": self.token if token is None else token}
        body = raw if raw is not None else json.dumps(message).encode()
        status, text = self.request("POST", "/api/action", body, headers)
        return status, json.loads(text)

    def stop(self):
        self.process.terminate()
        return self.process.wait(timeout=10)


with tempfile.TemporaryDirectory(prefix="chosa-kiosk-") as directory:
    kiosk = Kiosk(directory)
    check("the page carries a 32-hex-digit token", len(kiosk.token) == 32 and "{{" not in kiosk.page, kiosk.page[:300])
    check("the page says it is a kiosk", 'name="chosa-mode" content="kiosk"' in kiosk.page)
    status, headers_page = kiosk.get("/")
    other = Kiosk(os.path.join(directory))  # a second kiosk: its own token
    check("each start makes its own token", other.token != kiosk.token)
    other.stop()

    status, reply = kiosk.send({"v": 1, "op": "forms"}, token="")
    check("no token: 403 with a reason", status == 403 and "X-Chosa-Token" in reply["error"]["message"], reply)
    status, reply = kiosk.send({"v": 1, "op": "forms"}, token="0" * 32)
    check("another token: 403", status == 403, reply)
    status, text = kiosk.get("/", headers={"Host": "attacker.example:%d" % kiosk.port})
    check("another Host (DNS rebinding): 421, no page, no token", status == 421 and kiosk.token not in text, text)
    status, text = kiosk.request("POST", "/api/action", json.dumps({"v": 1, "op": "forms"}).encode(),
                                 {"Host": "attacker.example:%d" % kiosk.port, "X-Chosa-Token": kiosk.token,
                                  "Content-Type": "application/json"})
    check("a message with another Host: 421", status == 421, text)
    status, reply = kiosk.send({"v": 1, "op": "forms"}, content_type="text/plain")
    check("not application/json: 415", status == 415, reply)
    status, reply = kiosk.send(None, raw=b"{not json")
    check("not JSON: 400 with a reason", status == 400 and "JSON" in reply["error"]["message"], reply)
    status, reply = kiosk.send(None, raw=b"[1]")
    check("not an object: 400", status == 400, reply)
    status, text = kiosk.request("POST", "/api/action", b"x" * (2 << 20),
                                 {"Content-Type": "application/json", "X-Chosa-Token": kiosk.token})
    check("a 2 MiB message: 413", status == 413, text[:200])
    # The renderer's files go as they are (loopback: compressing them only costs time), whole.
    raw = urllib.request.urlopen(urllib.request.Request(
        "http://127.0.0.1:%d/chosa-widgets.js" % kiosk.port, headers={"Accept-Encoding": "gzip, deflate, br"}),
        timeout=10)
    widgets = raw.read()
    with open(os.path.join(SOURCE, "platform", "web", "chosa-widgets.js"), "rb") as f:
        check("a script is served uncompressed and whole, with its length",
              raw.headers.get("Content-Encoding") is None and widgets == f.read()
              and raw.headers.get("Content-Length") == str(len(widgets)), dict(raw.headers))
    status, text = kiosk.get("/no-such-file.js")
    check("an unknown file: 404", status == 404, text)
    status, text = kiosk.get("/../../etc/passwd")
    check("a path out of the renderer: 4xx", 400 <= status < 500 and "root:" not in text, text[:200])

    status, reply = kiosk.send({"v": 1, "op": "forms", "language": "en"})
    check("forms by message", status == 200 and reply["forms"][0]["title"] == "Visit record (sample)", reply)
    status, reply = kiosk.send({"v": 1, "op": "start", "form_id": "visit_record", "language": "en"})
    check("start: a draft and its view", status == 200 and reply["ok"] and reply["view"]["form_id"] == "visit_record",
          reply)
    draft_id = reply["draft"]["id"]
    status, reply = kiosk.send({"v": 1, "op": "answer", "path": "age", "text": "eighty"})
    check("a refused answer: 200, ok false, the reason and the view",
          status == 200 and not reply["ok"] and reply["error"]["path"] == "age" and "view" in reply, reply)
    for path, text in [("age", "８２"), ("adl_eat", "3"), ("adl_bath", "2"), ("visits[1]/visit_date", "2024-11-02")]:
        status, reply = kiosk.send({"v": 1, "op": "answer", "path": path, "text": text})
        check("answer %s" % path, status == 200 and reply["ok"], reply)
    status, reply = kiosk.send({"v": 1, "op": "next"})
    check("next", reply["ok"] and reply["view"]["navigation"]["page"] == 1, reply)

    # The page is reloaded (or the browser restarted): the kiosk still holds the draft open.
    status, reply = kiosk.send({"v": 1, "op": "view"})
    check("a reloaded page finds its draft where it was",
          reply["ok"] and reply["draft"]["id"] == draft_id and reply["view"]["navigation"]["page"] == 1, reply)
    kiosk.stop()
    kiosk = Kiosk(directory)
    status, reply = kiosk.send({"v": 1, "op": "drafts"})
    check("a restarted kiosk lists the draft", [d["id"] for d in reply["drafts"]] == [draft_id], reply)
    status, reply = kiosk.send({"v": 1, "op": "resume", "draft_id": draft_id})
    check("and resumes it where it was", reply["ok"] and reply["view"]["navigation"]["page"] == 1, reply)
    kiosk.send({"v": 1, "op": "answer", "path": "confirmed", "text": "OK"})
    status, reply = kiosk.send({"v": 1, "op": "finalize"})
    check("finalize", reply["ok"] and len(reply["submission"]["uuid"]) == 36, reply)
    uuid = reply["submission"]["uuid"]
    kiosk.stop()
    shown = subprocess.run([CHOSA, "outbox", "--store", os.path.join(directory, "store.sqlite"), "--show", uuid],
                           capture_output=True, text=True)
    submission = json.loads(shown.stdout) if shown.returncode == 0 else {}
    check("the submission is in the outbox with its answers (full-width digits read as 82)",
          submission.get("answers", {}).get("age") == 82 and submission["answers"]["adl_eat"] == "3",
          shown.stdout + shown.stderr)

    # An event kiosk.
    loop_dir = os.path.join(directory, "loop")
    os.mkdir(loop_dir)
    kiosk = Kiosk(loop_dir, "--loop", "--idle-seconds", "1")
    check("the page says it loops", 'name="chosa-mode" content="kiosk-loop"' in kiosk.page)
    for op, fields in [("drafts", {}), ("resume", {"draft_id": 1}), ("delete", {"draft_id": 1})]:
        status, reply = kiosk.send({"v": 1, "op": op, **fields})
        check("--loop refuses %s with 403" % op, status == 403, reply)
    status, reply = kiosk.send({"v": 1, "op": "start", "form_id": "visit_record"})
    abandoned = reply["draft"]["id"]
    kiosk.send({"v": 1, "op": "answer", "path": "age", "text": "90"})
    time.sleep(1.5)  # the person walks away
    status, reply = kiosk.send({"v": 1, "op": "view"})
    check("after the idle time the next person does not see the draft", not reply["ok"] and "view" not in reply,
          reply)
    kiosk.stop()
    listed = subprocess.run([CHOSA, "drafts", "--store", os.path.join(loop_dir, "store.sqlite")],
                            capture_output=True, text=True)
    check("the abandoned draft stays in the store for staff",
          listed.returncode == 0 and ("visit 90" in listed.stdout) and str(abandoned) in listed.stdout,
          listed.stdout + listed.stderr)

    # Addresses.
    refused = subprocess.run([CHOSA, "kiosk", FORM, "--store", os.path.join(directory, "x.sqlite"), "--listen",
                              "0.0.0.0:0"], capture_output=True, text=True)
    check("a non-loopback address is a usage error", refused.returncode == 2 and "loopback" in refused.stderr,
          refused.stderr)
    kiosk = Kiosk(directory)
    taken = subprocess.run([CHOSA, "kiosk", FORM, "--store", os.path.join(directory, "y.sqlite"), "--listen",
                            "127.0.0.1:%d" % kiosk.port], capture_output=True, text=True, timeout=20)
    check("a port already taken: exit 1, \"address already in use\"",
          taken.returncode == 1 and "already in use" in taken.stderr.lower(), taken.stderr)
    check("stopped by SIGTERM: exit 0", kiosk.stop() == 0)

print("%d failed" % failures)
sys.exit(1 if failures else 0)
