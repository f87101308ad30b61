#!/usr/bin/env python3
"""A loopback HTTP server that behaves the way real publishers misbehave, for the fetcher's tests.

Prints "PORT <n>" on its first line of output, then serves on 127.0.0.1 until killed.
Every route is a scenario; see `ROUTES` below. Stdlib only.
"""
import gzip
import json
import os
import socket
import struct
import sys
import threading
import time
import zlib
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LAST_MODIFIED = "Mon, 01 Jul 2019 00:00:00 GMT"
ETAG = '"v1"'
STATISTICS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "statistics")

_lock = threading.Lock()
_open_holds = 0
_max_open_holds = 0
_hits = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # -- helpers ---------------------------------------------------------------
    def send_body(self, status, body, content_type="text/plain", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status, location):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def query(self):
        return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

    # -- routes ----------------------------------------------------------------
    def do_GET(self):
        path = urlparse(self.path).path
        q = self.query()
        with _lock:
            _hits[path] = _hits.get(path, 0) + 1
        parts = path.strip("/").split("/")
        head = parts[0]
        if head == "ok":
            size = int(q.get("size", "64"))
            if self.headers.get("If-None-Match") == ETAG or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                self.send_response(304)
                self.send_header("ETag", ETAG)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = (b"tradewatch " * (size // 11 + 1))[:size]
            self.send_body(200, body, "text/plain; charset=ISO-8859-1",
                           {"ETag": ETAG, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=60"})
        elif head == "gzip":
            body = b"<rss>" + b"compressible " * 2000 + b"</rss>"
            packed = gzip.compress(body)
            self.send_body(200, packed, "application/rss+xml", {"Content-Encoding": "gzip"})
        elif head == "status":
            self.send_body(int(parts[1]), b"status page\n")
        elif head == "ratelimit":
            if parts[1] == "seconds":
                self.send_body(429, b"slow down\n", headers={"Retry-After": "120"})
            else:
                self.send_body(429, b"slow down\n", headers={"Retry-After": formatdate(time.time() + 90, usegmt=True)})
        elif head == "unavailable":
            self.send_body(503, b"maintenance\n", headers={"Retry-After": "30"})
        elif head == "redirect":
            n = int(parts[1])
            self.redirect(302, "/redirect/%d" % (n - 1) if n > 0 else "/ok")
        elif head == "permanent":
            n = int(parts[1])
            self.redirect(301 if n % 2 else 308, "/permanent/%d" % (n - 1) if n > 0 else "/ok")
        elif head == "moved-then-temporary":
            self.redirect(301, "/redirect/1")
        elif head == "loop":
            self.redirect(302, "/loop")
        elif head == "to-file":
            self.redirect(302, "file:///etc/passwd")
        elif head == "big":
            size = int(q.get("size", str(2 << 20)))
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.write_zeros(size)
        elif head == "chunked":
            size = int(q.get("size", str(2 << 20)))
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"x" * 65536
            sent = 0
            try:
                while sent < size:
                    piece = chunk[: min(len(chunk), size - sent)]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    sent += len(piece)
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif head == "bomb":
            megabytes = int(q.get("mb", "10"))
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)
            packed = packer.compress(b"\0" * (megabytes << 20)) + packer.flush()
            self.send_body(200, packed, "application/xml", {"Content-Encoding": "gzip"})
        elif head == "slow":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif head == "reset":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"x" * 1000)
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif head == "statistics" and len(parts) == 2 and parts[1] in os.listdir(STATISTICS):
            # A fixture file from Tests/Fixtures/statistics, as a publisher would serve it.
            with open(os.path.join(STATISTICS, parts[1]), "rb") as handle:
                body = handle.read()
            types = {"xml": "application/xml", "json": "application/json", "csv": "text/csv"}
            self.send_body(200, body, types.get(parts[1].rsplit(".", 1)[-1], "application/octet-stream"))
        elif head == "hold":
            self.hold(int(q.get("ms", "200")))
        elif head == "stats":
            global _max_open_holds
            with _lock:
                body = json.dumps({"open": _open_holds, "maxOpen": _max_open_holds, "hits": _hits}).encode()
                if q.get("reset"):
                    _max_open_holds = 0
                    _hits.clear()
            self.send_body(200, body, "application/json")
        elif head == "echo":
            # /echo/STATUS/...: quotes the subscription-key back, percent-encoded (upper- and
            # lower-case hex, form encoding) and in base64, as careless servers do.
            import base64, re
            from urllib.parse import quote, quote_plus
            key = q.get("subscription-key", "")
            upper = quote(key, safe="/")
            lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(key, safe=""))
            forms = [upper, lower, quote_plus(key), base64.b64encode(key.encode()).decode(),
                     base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")]
            status = int(parts[1])
            if status == 200:
                body = json.dumps({"count": 0, "data": [], "error": "", "echo": " ".join(forms)}).encode()
                self.send_body(200, body, "application/json")
            else:
                self.send_body(status, ("invalid subscription key " + " ".join(forms) + "\n").encode())
        elif head == "headers":
            body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
            self.send_body(200, body, "application/json")
        else:
            self.send_body(404, b"no such scenario\n")

    def write_zeros(self, size):
        chunk = b"\0" * 65536
        sent = 0
        try:
            while sent < size:
                piece = chunk[: min(len(chunk), size - sent)]
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def hold(self, ms):
        global _open_holds, _max_open_holds
        with _lock:
            _open_holds += 1
            _max_open_holds = max(_max_open_holds, _open_holds)
        try:
            time.sleep(ms / 1000)
            self.send_body(200, b"held\n")
        finally:
            with _lock:
                _open_holds -= 1


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = Server(("127.0.0.1", port), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
