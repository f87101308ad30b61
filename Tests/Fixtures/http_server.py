#!/usr/bin/env python3
"""A loopback HTTP server that behaves the way real publishers misbehave, for the fetcher's tests.

    python3 Tests/Fixtures/http_server.py [PORT]

Prints "PORT <n>" on its first line of output, then serves on 127.0.0.1 until killed
(Tests/TestSupport/FixtureServer.swift starts it with an ephemeral port). Every route is a
scenario, GET only; the table is `ROUTES` at the end of this file. Most scenarios ignore any
further path segments (/ok/anything is /ok). Stdlib only; the server, the startup handshake and
the body writers are shared with scripts/publisher in scripts/lib/twhttp.py.
"""
import base64
import gzip
import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import quote, quote_plus

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lib"))

import twhttp  # noqa: E402

LAST_MODIFIED = "Mon, 01 Jul 2019 00:00:00 GMT"
ETAG = '"v1"'
STATISTICS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "statistics")


@dataclass
class Counters:
    """What /stats reports: transfers open at once on /hold (now and at most), and hits per path."""

    open_holds: int = 0
    max_open_holds: int = 0
    hits: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, path):
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    def hold_opened(self):
        with self.lock:
            self.open_holds += 1
            self.max_open_holds = max(self.max_open_holds, self.open_holds)

    def hold_closed(self):
        with self.lock:
            self.open_holds -= 1

    def report(self, reset):
        """The JSON body, then (with `reset`) the maximum and the hits start again."""
        with self.lock:
            body = json.dumps({"open": self.open_holds, "maxOpen": self.max_open_holds, "hits": self.hits}).encode()
            if reset:
                self.max_open_holds = 0
                self.hits.clear()
        return body


# -- content and validators ----------------------------------------------------------------------
def ok(http, request):
    """?size=N (default 64): N bytes of "tradewatch ", Latin-1, with ETag "v1", a fixed
    Last-Modified and max-age=60; 304 when either validator matches as text (FetcherTests'
    conditional GET, the tests' default healthy URL, the end of every redirect chain)."""
    size = int(request.query.get("size", "64"))
    if http.matches_either_validator(ETAG, LAST_MODIFIED):
        return http.send_not_modified(ETAG)
    body = (b"tradewatch " * (size // 11 + 1))[:size]
    http.send_body(200, body, "text/plain; charset=ISO-8859-1",
                   {"ETag": ETAG, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=60"})


def gzip_body(http, request):
    """A gzip-encoded feed sent whatever Accept-Encoding says (FetcherTests: decoded transparently)."""
    body = b"<rss>" + b"compressible " * 2000 + b"</rss>"
    http.send_body(200, gzip.compress(body), "application/rss+xml", {"Content-Encoding": "gzip"})


def statistics(http, request):
    """/statistics/<file>: a fixture file from Tests/Fixtures/statistics, as a publisher would
    serve it (InspectCommandTests, the statistics suites); 404 for a name not in the folder."""
    name = request.params["name"]
    if name not in os.listdir(STATISTICS):
        return not_found(http, request)
    with open(os.path.join(STATISTICS, name), "rb") as handle:
        body = handle.read()
    types = {"xml": "application/xml", "json": "application/json", "csv": "text/csv"}
    http.send_body(200, body, types.get(name.rsplit(".", 1)[-1], "application/octet-stream"))


# -- status codes and redirects ------------------------------------------------------------------
def status(http, request):
    """/status/<code>: that status with a short body (FetcherTests' HTTP errors, redaction of a
    key in the URL of a failed request)."""
    http.send_body(int(request.params["code"]), b"status page\n")


def ratelimit(http, request):
    """/ratelimit/seconds: 429 with Retry-After: 120; /ratelimit/<other>: 429 with Retry-After
    as an HTTP date 90 s ahead (both read as rate limiting)."""
    if request.params["kind"] == "seconds":
        http.send_body(429, b"slow down\n", headers={"Retry-After": "120"})
    else:
        http.send_body(429, b"slow down\n", headers={"Retry-After": formatdate(time.time() + 90, usegmt=True)})


def unavailable(http, request):
    """503 with Retry-After: 30 (maintenance, read as rate limiting)."""
    http.send_body(503, b"maintenance\n", headers={"Retry-After": "30"})


def redirect(http, request):
    """/redirect/<n>: n temporary (302) redirects, then /ok."""
    n = int(request.params["n"])
    http.redirect(302, "/redirect/%d" % (n - 1) if n > 0 else "/ok")


def permanent(http, request):
    """/permanent/<n>: n permanent redirects, 301 and 308 alternating, then /ok (the fetcher
    reports the permanent target; ExecutableTests checks it is shown with the key redacted)."""
    n = int(request.params["n"])
    http.redirect(301 if n % 2 else 308, "/permanent/%d" % (n - 1) if n > 0 else "/ok")


def moved_then_temporary(http, request):
    """301 to /redirect/1: only the permanent hop counts as the new address."""
    http.redirect(301, "/redirect/1")


def loop(http, request):
    """302 to itself (the redirect limit)."""
    http.redirect(302, "/loop")


def to_file(http, request):
    """302 to file:///etc/passwd (the protocol allow-list)."""
    http.redirect(302, "file:///etc/passwd")


# -- sizes, streams and broken connections -------------------------------------------------------
def big(http, request):
    """?size=N (default 2 MiB): N zero bytes with a Content-Length (the size limit, from the header)."""
    http.send_zeros(int(request.query.get("size", str(2 << 20))))


def chunked(http, request):
    """?size=N (default 2 MiB): N bytes of "x" in 64 KiB chunks (the size limit, while reading)."""
    http.send_chunked(twhttp.pieces_of(b"x", int(request.query.get("size", str(2 << 20)))))


def bomb(http, request):
    """?mb=N (default 10): gzip that inflates to N MiB of zeros (the limit on decoded bytes)."""
    packed = twhttp.gzip_bomb(int(request.query.get("mb", "10")), b"\0")
    http.send_body(200, packed, "application/xml", {"Content-Encoding": "gzip"})


def slow(http, request):
    """Announces 1000 bytes and sends one a second (the low-speed timeout)."""
    http.trickle(1000, b"x")


def reset(http, request):
    """A connection reset after 1000 of 100000 announced bytes (an I/O error)."""
    http.reset_after(b"x" * 1000)


def hold(http, request):
    """?ms=N (default 200): answers "held" after N ms, counted in /stats while open
    (FetcherTests: concurrency caps, cancellation of a transfer in flight)."""
    counters = request.context
    counters.hold_opened()
    try:
        time.sleep(int(request.query.get("ms", "200")) / 1000)
        http.send_body(200, b"held\n")
    finally:
        counters.hold_closed()


# -- introspection -------------------------------------------------------------------------------
def stats(http, request):
    """{"open", "maxOpen", "hits"} as JSON; ?reset=1 starts the maximum and the hits again
    (FixtureServer.stats)."""
    http.send_body(200, request.context.report(bool(request.query.get("reset"))), "application/json")


def echo(http, request):
    """/echo/<status>: quotes the subscription-key back, percent-encoded (upper- and lower-case
    hex, form encoding) and in base64, as careless servers do; JSON for 200, text otherwise
    (FetcherTests and SecretsTests: every form is redacted)."""
    key = request.query.get("subscription-key", "")
    upper = quote(key, safe="/")
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(key, safe=""))
    forms = [upper, lower, quote_plus(key), base64.b64encode(key.encode()).decode(),
             base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")]
    code = int(request.params["status"])
    if code == 200:
        body = json.dumps({"count": 0, "data": [], "error": "", "echo": " ".join(forms)}).encode()
        http.send_body(200, body, "application/json")
    else:
        http.send_body(code, ("invalid subscription key " + " ".join(forms) + "\n").encode())


def headers(http, request):
    """The request headers as a JSON object with lower-case names (FetcherTests: what is sent)."""
    body = json.dumps({k.lower(): v for k, v in request.headers.items()}).encode()
    http.send_body(200, body, "application/json")


def not_found(http, request):
    http.send_body(404, b"no such scenario\n")


# (methods, pattern, handler): the first match wins. `{name}` is one path segment, `{_*}` any
# further ones (ignored); anything else is 404 "no such scenario". POST and other methods: 501.
ROUTES = (
    ("GET", "/ok/{_*}", ok),
    ("GET", "/gzip/{_*}", gzip_body),
    ("GET", "/status/{code}/{_*}", status),
    ("GET", "/ratelimit/{kind}/{_*}", ratelimit),
    ("GET", "/unavailable/{_*}", unavailable),
    ("GET", "/redirect/{n}/{_*}", redirect),
    ("GET", "/permanent/{n}/{_*}", permanent),
    ("GET", "/moved-then-temporary/{_*}", moved_then_temporary),
    ("GET", "/loop/{_*}", loop),
    ("GET", "/to-file/{_*}", to_file),
    ("GET", "/big/{_*}", big),
    ("GET", "/chunked/{_*}", chunked),
    ("GET", "/bomb/{_*}", bomb),
    ("GET", "/slow/{_*}", slow),
    ("GET", "/reset/{_*}", reset),
    ("GET", "/statistics/{name}", statistics),
    ("GET", "/hold/{_*}", hold),
    ("GET", "/stats/{_*}", stats),
    ("GET", "/echo/{status}/{_*}", echo),
    ("GET", "/headers/{_*}", headers),
)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    # Every GET is counted before it is routed, /stats included.
    router = twhttp.Router(ROUTES, not_found, before=lambda request: request.context.hit(request.path))
    twhttp.serve(twhttp.LoopbackServer(port, router, Counters()))


if __name__ == "__main__":
    main()
