#!/usr/bin/env python3
# The slow-client probe of docs/operations.md ("Slow clients"): against a collector on loopback,
# 16 TLS connections that trickle a header byte every 5 s (from 127.0.0.40-55) and 20 TCP
# connections that never start TLS (from 127.0.0.2-21); then /healthz is polled from 127.0.0.1
# with curl's 10 s timeout, once a second. Prints each poll's status and seconds.
#   bench/slow_probe.py PORT CA_FILE [POLLS]
import socket, ssl, subprocess, sys, time, threading
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
tls = []
for i in range(16):
    s = socket.socket(); s.bind((f"127.0.0.{40+i}", 0)); s.settimeout(5); s.connect(("127.0.0.1", port))
    try:
        t = ctx.wrap_socket(s); t.send(b"GET /healthz HTTP/1.1\r\nX: "); tls.append(t)
    except Exception as e: print("handshake failed", e)
socks = []
for i in range(20):
    s = socket.socket(); s.bind((f"127.0.0.{2+i}", 0)); s.connect(("127.0.0.1", port)); socks.append(s)
stop = False
def trickle():
    while not stop:
        for t in tls:
            try: t.send(b"x")
            except Exception: pass
        time.sleep(5)
threading.Thread(target=trickle, daemon=True).start()
lat = []
for k in range(int(sys.argv[3]) if len(sys.argv) > 3 else 6):
    t0 = time.time()
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca, "-m", "10",
                        f"https://127.0.0.1:{port}/healthz"], capture_output=True, text=True)
    lat.append((r.stdout, round(time.time() - t0, 3)))
    time.sleep(1)
stop = True
print(lat)
