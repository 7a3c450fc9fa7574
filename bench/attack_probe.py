#!/usr/bin/env python3
# The attack of issue 19 as figures: /healthz latency and the sync of a device to a real
# collector over TLS, with and without 200 slow connections held from 127.0.0.2-127.0.0.201
# (with more than 253, from 127.0.1.2 on, 253 addresses per /24; a third trickling a request
# head, a third never starting TLS, a third trickling a body after a complete head; the same three
# kinds as tests/sync/slow_clients.cpp, a closed one opened again at once), in one run,
# alternating: quiet, attack, attack, quiet, ...
#
# The sync is chosa_sync_bench's own sync phase (a device store of N checklists, one
# SyncClient::Sync() over TLS to a chosa-collector it starts itself). This script hands the bench
# a wrapper as its collector tool, learns the port from the wrapper, and while the collector
# serves it polls /healthz from 127.0.0.1 (a new TLS connection per poll, 10 s timeout, every
# 100 ms) and, in attack rounds, holds the slow connections.
#
#   bench/attack_probe.py --collector-tool BUILD/tools/chosa-collector \
#       --sync-bench BUILD/bench/chosa_sync_bench --source-dir . --dir /tmp/attack \
#       [--submissions 1000] [--rounds 2] [--connections 200] [--serve-args "--threads 64"]
# Prints one JSON object per round, then a summary table (markdown).
import argparse, json, os, socket, ssl, statistics, subprocess, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--collector-tool", required=True)
ap.add_argument("--sync-bench", required=True)
ap.add_argument("--source-dir", required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--submissions", type=int, default=1000)
ap.add_argument("--rounds", type=int, default=2, help="pairs of (quiet, attack), alternating")
ap.add_argument("--connections", type=int, default=200)
ap.add_argument("--byte-interval", type=float, default=0.5)
ap.add_argument("--settle", type=float, default=3.0, help="seconds of attack before the sync may start")
ap.add_argument("--label", default="")
ap.add_argument("--polls", type=int, default=100)
ap.add_argument("--sync-timeout", type=float, default=60)
ap.add_argument("--serve-args", default="", help="extra arguments to serve for the /healthz collector")
args = ap.parse_args()
os.makedirs(args.dir, exist_ok=True)

ENDLESS_HEAD = b"GET /healthz HTTP/1.1\r\nHost: collector\r\nX-Padding: "
BODY_HEAD = (b"POST /api/v1/enroll HTTP/1.1\r\nHost: collector\r\nContent-Type: application/json\r\n"
             b"Content-Length: 16000\r\n\r\n")
CTX = ssl.create_default_context(); CTX.check_hostname = False; CTX.verify_mode = ssl.CERT_NONE


class Attack:
    def __init__(self, port, n):
        self.port, self.stop = port, False
        self.conns = [{"kind": i % 3, "src": f"127.0.{i // 253}.{2 + i % 253}", "s": None, "next": 0.0} for i in range(n)]
        self.opened = self.closed_by_server = self.open_failed = 0
        self.held_samples = []

    def open(self, c):
        try:
            s = socket.socket(); s.settimeout(2); s.bind((c["src"], 0)); s.connect(("127.0.0.1", self.port))
        except OSError:
            self.open_failed += 1; return
        self.opened += 1
        if c["kind"] != 1:  # 1: says nothing, never starts TLS
            try:
                s = CTX.wrap_socket(s)
                s.send(ENDLESS_HEAD if c["kind"] == 0 else BODY_HEAD)
            except (OSError, ssl.SSLError):
                self.closed_by_server += 1; s.close(); return
        s.setblocking(False)
        c["s"], c["next"] = s, time.monotonic() + args.byte_interval

    def closed(self, c):
        s = c["s"]
        try:
            while True:
                d = s.recv(4096)
                if not d: return True
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return False
        except (OSError, ssl.SSLError):
            return True

    def loop(self):
        last_sample = 0.0
        while not self.stop:
            now = time.monotonic()
            for c in self.conns:
                if self.stop: break
                if c["s"] is None:
                    self.open(c); continue
                if self.closed(c):
                    self.closed_by_server += 1; c["s"].close(); c["s"] = None; continue
                if c["kind"] == 1 or now < c["next"]: continue
                c["next"] = now + args.byte_interval
                try: c["s"].send(b"x")
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError): pass
                except (OSError, ssl.SSLError):
                    self.closed_by_server += 1; c["s"].close(); c["s"] = None
            if now - last_sample > 0.5:
                self.held_samples.append(sum(1 for c in self.conns if c["s"] is not None)); last_sample = now
            time.sleep(0.02)
        for c in self.conns:
            if c["s"] is not None: c["s"].close()


def healthz(port):
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        t = CTX.wrap_socket(s)
        t.sendall(b"GET /healthz HTTP/1.1\r\nHost: collector\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n" not in data:
            d = t.recv(4096)
            if not d: break
            data += d
        t.close()
        ok = data.startswith(b"HTTP/1.1 200")
    except (OSError, ssl.SSLError):
        ok = False
    return ok, time.monotonic() - t0


WRAPPER = r"""#!/usr/bin/env python3
# chosa_sync_bench's collector tool: the real one, but the bench learns the port only SETTLE
# seconds after the attacker (which reads PORTPATH) does, so the sync meets the attack in place.
import os, signal, subprocess, sys, time
real, portpath, settle = REAL, PORTPATH, SETTLE
argv = sys.argv[1:]
if not argv or argv[0] != "serve":
    os.execv(real, [real] + argv)
i = argv.index("--port-file"); bench_port_file = argv[i + 1]; argv[i + 1] = portpath + ".own"
child = subprocess.Popen([real] + argv)
open(portpath + ".pids", "w").write(f"{os.getpid()} {child.pid}")
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, lambda n, f: child.send_signal(n))
while child.poll() is None:
    try:
        port = open(portpath + ".own").read().strip()
        if port: break
    except OSError: pass
    time.sleep(0.01)
open(portpath + ".tmp", "w").write(port); os.rename(portpath + ".tmp", portpath)
time.sleep(settle)
open(bench_port_file + ".tmp", "w").write(port + "\n"); os.rename(bench_port_file + ".tmp", bench_port_file)
open(portpath + ".released", "w").close()
sys.exit(child.wait())
"""


def start_attack(port, on):
    if not on: return None, None
    att = Attack(port, args.connections)
    th = threading.Thread(target=att.loop, daemon=True); th.start()
    return att, th


def healthz_phase(attack_on, d):
    # A collector of our own: SETTLE s of attack, then 100 polls, 50 ms apart.
    subprocess.run([args.collector_tool, "dev-tls", d + "/tls"], capture_output=True, check=True)
    pf = d + "/hz-port"
    srv = subprocess.Popen([args.collector_tool, "serve", "--listen", "127.0.0.1:0", "--cert", d + "/tls/server.pem",
                            "--key", d + "/tls/server-key.pem", "--data", d + "/hz-data", "--port-file", pf] + args.serve_args.split(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = None
    while port is None and srv.poll() is None:
        try: port = int(open(pf).read().strip())
        except (OSError, ValueError): time.sleep(0.01)
    att, th = start_attack(port, attack_on)
    time.sleep(args.settle if attack_on else 0.5)
    lat, fails = [], 0
    for _ in range(args.polls):
        ok, s = healthz(port)
        if ok: lat.append(s)
        else: fails += 1
        print(f"  /healthz {'200' if ok else 'failed'} in {s:.3f} s, {sum(1 for c in att.conns if c['s'] is not None) if att else 0} held",
              file=sys.stderr, flush=True)
        time.sleep(0.05)
    held = statistics.median(att.held_samples) if att and att.held_samples else 0
    if att: att.stop = True; th.join()
    srv.terminate()
    try: srv.wait(timeout=5)
    except subprocess.TimeoutExpired: srv.kill(); srv.wait()
    return lat, fails, held, att


def one_round(attack_on, k):
    d = os.path.join(args.dir, f"r{k}")
    subprocess.run(["rm", "-rf", d]); os.makedirs(d)
    lat, fails, held, hatt = healthz_phase(attack_on, d)
    print(f"  healthz phase done; sync (attack: {attack_on})", file=sys.stderr, flush=True)
    portpath = os.path.join(d, "wrapped-port")
    wrapper = os.path.join(d, "collector-wrapper.py")
    with open(wrapper, "w") as f:
        f.write(WRAPPER.replace("REAL", repr(os.path.abspath(args.collector_tool))).replace("PORTPATH", repr(portpath))
                .replace("SETTLE", repr(args.settle if attack_on else 0.0)))
    os.chmod(wrapper, 0o755)
    bench = subprocess.Popen([args.sync_bench, "--collector-tool", wrapper, "--source-dir", args.source_dir,
                              "--dir", os.path.join(d, "files"), "--submissions", str(args.submissions),
                              "--phases", "sync"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = None
    while port is None and bench.poll() is None:
        try: port = int(open(portpath).read().strip())
        except (OSError, ValueError): time.sleep(0.01)
    att, th = start_attack(port, attack_on)
    held_at_sync = None
    while bench.poll() is None and held_at_sync is None:
        if os.path.exists(portpath + ".released"):
            held_at_sync = sum(1 for c in att.conns if c["s"] is not None) if att else 0
        time.sleep(0.005)
    try:
        out, err = bench.communicate(timeout=args.sync_timeout)
        r = json.loads(out)
        sync_s, sync_rate = r["sync_seconds"], r["sync_per_second"]
    except subprocess.TimeoutExpired:
        # The wrapper and the collector by their ids (a collector held by slow clients may ignore
        # SIGTERM; they hold the bench's output pipes).
        try:
            for pid in open(portpath + ".pids").read().split(): os.kill(int(pid), 9)
        except (OSError, ValueError): pass
        bench.kill(); bench.communicate(); sync_s, sync_rate = None, 0.0
    except ValueError:
        sys.exit(f"sync bench failed: {err[-2000:]}")
    if att: att.stop = True; th.join()
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
    return {"attack": attack_on, "sync_seconds": sync_s, "sync_per_second": sync_rate,
            "healthz_polls": len(lat) + fails, "healthz_failed": fails,
            "healthz_p50_ms": q(0.5), "healthz_p99_ms": q(0.99), "healthz_max_ms": lat[-1] * 1000 if lat else float("nan"),
            "held_median": held, "attack_opened": hatt.opened if hatt else 0,
            "attack_closed_by_server": hatt.closed_by_server if hatt else 0,
            "held_when_sync_starts": held_at_sync,
            "sync_attack_held_median": statistics.median(att.held_samples) if att and att.held_samples else 0,
            "sync_attack_held_samples": att.held_samples if att else [],
            "sync_attack_opened": att.opened if att else 0, "sync_attack_closed_by_server": att.closed_by_server if att else 0,
            "sync_attack_open_failed": att.open_failed if att else 0}


rounds = []
order = []
for i in range(args.rounds):
    order += [False, True] if i % 2 == 0 else [True, False]
for k, a in enumerate(order):
    r = one_round(a, k); rounds.append(r)
    print(json.dumps(r), flush=True)

print(f"\n{args.label} load average after: {open('/proc/loadavg').read().split()[:3]}")
print("| | sync of %d (s) | submissions/s | /healthz p50 (ms) | p99 (ms) | max (ms) | failed polls | held (median) | opened / closed by server | held when the sync starts |" % args.submissions)
print("|---|---|---|---|---|---|---|---|---|---|")
for a in (False, True):
    rs = [r for r in rounds if r["attack"] == a]
    j = lambda key, f="%.3g": ", ".join(f % r[key] for r in rs)
    print(f"| {(str(args.connections) + ' slow connections') if a else 'no attack'} | {', '.join('%.3g' % r['sync_seconds'] if r['sync_seconds'] else 'not done in %gs' % args.sync_timeout for r in rs)} | {j('sync_per_second', '%.0f')} | "
          f"{j('healthz_p50_ms', '%.1f')} | {j('healthz_p99_ms', '%.1f')} | {j('healthz_max_ms', '%.0f')} | "
          f"{j('healthz_failed', '%d')} of {j('healthz_polls', '%d')} | {j('held_median', '%g')} | "
          f"{', '.join('%d / %d' % (r['attack_opened'], r['attack_closed_by_server']) for r in rs)} | {', '.join(str(r['held_when_sync_starts']) for r in rs)} |")
