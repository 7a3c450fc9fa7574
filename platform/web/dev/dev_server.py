#!/usr/bin/env python3
"""A stand-in for `chosa kiosk` while developing the renderer: serves platform/web/ and the
action messages of libchosa.so (chosa_actions_handle, through ctypes) with the same HTTP contract
(docs/web-renderer.md): GET / is index.html with its {{CHOSA_*}} meta tags filled; POST
/api/action takes a request {"v":1,"op":...} with X-Chosa-Token and answers with the engine's reply.

  python3 platform/web/dev/dev_server.py --lib build/platform/libchosa.so --store /tmp/x.sqlite \
      [--port 0] [--mode app|kiosk|kiosk-loop] [--idle-seconds 120] schemas/examples/*.json

Loopback only; it prints its URL. Not for the field: `chosa kiosk` is.
"""
import argparse
import ctypes
import http.server
import json
import os
import re
import secrets
import sys
import threading

WEB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES = {'.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
         '.js': 'text/javascript; charset=utf-8'}


class Engine:
    def __init__(self, lib, store_path, forms):
        self.lib = ctypes.CDLL(lib)
        self.lib.chosa_store_open.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
        self.lib.chosa_store_install_form_file.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p]
        self.lib.chosa_actions_open.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p]
        self.lib.chosa_actions_handle.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                                  ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
        self.lib.chosa_free.argtypes = [ctypes.c_void_p]
        self.store = ctypes.c_void_p()
        if self.lib.chosa_store_open(store_path.encode(), None, ctypes.byref(self.store), None) != 0:
            sys.exit('cannot open the store ' + store_path)
        self.form_ids = []
        for path in forms:
            code = self.lib.chosa_store_install_form_file(self.store, os.path.abspath(path).encode(), None, None)
            if code not in (0, 7):  # 7: already installed
                sys.exit(f'cannot install {path}: code {code}')
            self.form_ids.append(json.load(open(path, encoding='utf-8'))['id'])
        self.actions = ctypes.c_void_p()
        if self.lib.chosa_actions_open(self.store, b'dev', ctypes.byref(self.actions), None) != 0:
            sys.exit('cannot open the action channel')
        self.lock = threading.Lock()

    def handle(self, body):
        out = ctypes.c_void_p()
        size = ctypes.c_size_t()
        with self.lock:
            code = self.lib.chosa_actions_handle(self.actions, body, len(body), ctypes.byref(out), ctypes.byref(size))
            if code != 0:
                return None
            reply = ctypes.string_at(out, size.value)
            self.lib.chosa_free(out)
        return reply


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('forms', nargs='+')
    parser.add_argument('--lib', default='build/platform/libchosa.so')
    parser.add_argument('--store', required=True)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--mode', default='app')
    parser.add_argument('--idle-seconds', type=int, default=120)
    args = parser.parse_args()
    engine = Engine(args.lib, args.store, args.forms)
    token = secrets.token_hex(16)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send(self, status, body, ctype='application/json'):
            self.send_response(status)
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(body)))
            self.send_header('Cache-Control', 'no-store')
            self.end_headers()
            self.wfile.write(body)

        def fail(self, status, code, message):
            self.send(status, json.dumps({'error': {'code': code, 'message': message}}).encode())

        def do_GET(self):
            name = self.path.split('?')[0].lstrip('/') or 'index.html'
            if not re.fullmatch(r'[a-z-]+\.(html|css|js)', name) or not os.path.isfile(os.path.join(WEB, name)):
                return self.fail(404, 'not_found', 'no such file')
            data = open(os.path.join(WEB, name), 'rb').read()
            if name == 'index.html':
                data = (data.replace(b'{{CHOSA_TOKEN}}', token.encode())
                        .replace(b'{{CHOSA_MODE}}', args.mode.encode())
                        .replace(b'{{CHOSA_IDLE_SECONDS}}', str(args.idle_seconds).encode())
                        .replace(b'{{CHOSA_FORMS}}', ','.join(engine.form_ids).encode()))
            self.send(200, data, TYPES[os.path.splitext(name)[1]])

        def do_POST(self):
            if self.path != '/api/action':
                return self.fail(404, 'not_found', 'POST /api/action only')
            if self.headers.get('X-Chosa-Token') != token:
                return self.fail(403, 'permission_denied', 'wrong or missing X-Chosa-Token')
            length = int(self.headers.get('Content-Length') or 0)
            if length > 1 << 20:
                return self.fail(413, 'invalid_argument', 'the request is too large')
            reply = engine.handle(self.rfile.read(length))
            if reply is None:
                return self.fail(500, 'internal', 'no reply')
            self.send(200, reply)

    server = http.server.ThreadingHTTPServer(('127.0.0.1', args.port), Handler)
    print(f'http://127.0.0.1:{server.server_address[1]}/', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
