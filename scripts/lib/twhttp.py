"""The HTTP machinery shared by tradewatch's two loopback servers (Python 3.11 standard library only):

* scripts/publisher, the publisher simulator (scripts/demo, scripts/crashtest, the end-to-end
  tests through Tests/TestSupport/Publisher.swift);
* Tests/Fixtures/http_server.py, the fetcher's scenario server (Tests/TestSupport/FixtureServer.swift).

Both import it without installation, by putting this folder on `sys.path` relative to their own
`__file__`. What lives here:

* `LoopbackServer` and `serve`: a threading server on 127.0.0.1 with a deep accept queue, and the
  startup handshake the Swift side (`startLoopbackServer` in FixtureServer.swift), scripts/demo
  and scripts/crashtest read: the first line on stdout is exactly `PORT <n>\\n`, flushed before
  the first request is accepted.
* `Router` and `RoutedHandler`: a route table of (methods, path pattern) -> handler function.
* Conditional GET (ETag, Last-Modified, 304) and the body writers the misbehaving routes share:
  a trickle, a reset in mid-body, chunked streams, zeros of a given length, a gzip bomb.
"""
import gzip
import hashlib
import itertools
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.message import Message
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlparse

# -- startup -------------------------------------------------------------------------------------


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 that carries its route table and its state.

    The accept queue is deep (1024) because the tests open hundreds of transfers at once
    (FetcherTests' concurrency checks on /hold, the daemon's many sources) and the default of 5
    would refuse connections."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, port: int, router: "Router", context: Any = None):
        self.router = router
        self.context = context
        super().__init__(("127.0.0.1", port), RoutedHandler)

    @property
    def port(self) -> int:
        return self.server_address[1]


def announce(server: LoopbackServer) -> None:
    """The startup handshake: `PORT <n>` and a newline as the first line on stdout, flushed.

    The readers (Tests/TestSupport/FixtureServer.swift `startLoopbackServer`, scripts/demo,
    scripts/crashtest) take the port from that line and need nothing else on it."""
    print("PORT %d" % server.port, flush=True)


def serve(server: LoopbackServer) -> None:
    """Announces the port, then serves until the process is killed."""
    announce(server)
    server.serve_forever()


# -- routing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request as the routes see it.

    `parts` is the path without its outer slashes, split on "/" ("/" gives [""]); `query` keeps
    the first value of each parameter, blank values dropped (parse_qs); `params` holds what the
    route pattern captured."""

    method: str
    path: str
    parts: list
    query: dict
    headers: Message
    params: dict
    context: Any


Handler = Callable[["RoutedHandler", Request], None]


@dataclass(frozen=True)
class Route:
    """`pattern` is a path of segments: a literal, `{name}` (one segment, captured as a string)
    or, last, `{name*}` (every further segment, possibly none, captured as a list)."""

    methods: frozenset
    pattern: str
    handler: Handler
    segments: tuple = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "segments", tuple(self.pattern.strip("/").split("/")))

    def match(self, method: str, parts: list):
        if method not in self.methods:
            return None
        params = {}
        for index, segment in enumerate(self.segments):
            if segment.startswith("{") and segment.endswith("*}"):
                params[segment[1:-2]] = parts[index:]
                return params
            if index >= len(parts):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                params[segment[1:-1]] = parts[index]
            elif segment != parts[index]:
                return None
        return params if len(parts) == len(self.segments) else None


class Router:
    """A route table: the first route whose methods and pattern match handles the request.

    A method no route accepts is answered 501 exactly as `BaseHTTPRequestHandler` answers a
    method it has no `do_` function for; a path no route matches goes to `fallback`. `before`,
    when given, sees every request first (the scenario server counts hits with it)."""

    def __init__(self, routes: Iterable, fallback: Handler, before: Callable[[Request], None] | None = None):
        self.routes = tuple(Route(frozenset(methods.split()), pattern, handler) for methods, pattern, handler in routes)
        self.fallback = fallback
        self.before = before
        self.methods = frozenset(itertools.chain.from_iterable(route.methods for route in self.routes))

    def dispatch(self, http: "RoutedHandler", method: str) -> None:
        if method not in self.methods:
            http.send_error(HTTPStatus.NOT_IMPLEMENTED, "Unsupported method (%r)" % method)
            return
        url = urlparse(http.path)
        parts = url.path.strip("/").split("/")
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        request = Request(method, url.path, parts, query, http.headers, {}, http.server.context)
        if self.before:
            self.before(request)
        for route in self.routes:
            params = route.match(method, parts)
            if params is not None:
                request.params.update(params)
                return route.handler(http, request)
        self.fallback(http, request)


class RoutedHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, no access log, every request through the server's `Router`.

    A client that hangs up in mid-response ends that response quietly."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method: str) -> None:
        try:
            self.server.router.dispatch(self, method)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- plain responses ------------------------------------------------------------------------
    def send_body(self, status: int, body: bytes, content_type: str = "text/plain", headers: dict | None = None):
        """Status, Content-Type, Content-Length, then `headers` in order, then the body."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status: int, location: str):
        """A bare redirect: Location and Content-Length: 0, no Content-Type, no body."""
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- conditional GET ------------------------------------------------------------------------
    def send_not_modified(self, etag: str, last_modified: str | None = None):
        """304 with the validators and Content-Length: 0."""
        self.send_response(304)
        self.send_header("ETag", etag)
        if last_modified is not None:
            self.send_header("Last-Modified", last_modified)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def is_not_modified(self, etag: str, modified: float) -> bool:
        """RFC 9110 13.2.2: If-None-Match decides when sent (exact match); otherwise
        If-Modified-Since, read as a date, at or after `modified` (whole seconds)."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return if_none_match == etag
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            return int(modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False

    def matches_either_validator(self, etag: str, last_modified: str) -> bool:
        """The check a careless publisher makes: either validator equal, as text, to the current one."""
        return self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == last_modified

    def send_content(self, body: bytes, content_type: str, modified: float):
        """A document as a well-behaved publisher serves it: a content-hash ETag (of the
        uncompressed body) and Last-Modified, 304 when the client's validators still hold, gzip
        (mtime 0, so the bytes are stable) when Accept-Encoding names it."""
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        last_modified = formatdate(modified, usegmt=True)
        if self.is_not_modified(etag, modified):
            return self.send_not_modified(etag, last_modified)
        headers = {"ETag": etag, "Last-Modified": last_modified}
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send_body(200, body, content_type, headers)

    # -- misbehaving bodies ---------------------------------------------------------------------
    def trickle(self, length: int, byte: bytes, content_type: str | None = None):
        """Announces `length` bytes, then sends one `byte` a second: a server too slow to wait for."""
        self.send_response(200)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        for _ in range(length):
            self.wfile.write(byte)
            self.wfile.flush()
            time.sleep(1)

    def reset_after(self, prefix: bytes):
        """Announces 100000 bytes, sends `prefix`, then resets the connection (RST, SO_LINGER 0)."""
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(prefix)
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def send_chunked(self, pieces: Iterable[bytes], content_type: str | None = None, finish: bool = True):
        """A chunked body of `pieces` (an endless iterator makes an endless body); the last
        chunk only when `finish`."""
        self.send_response(200)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in pieces:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if finish:
            self.wfile.write(b"0\r\n\r\n")

    def send_zeros(self, size: int):
        """`size` zero bytes with their Content-Length and no Content-Type, in 64 KiB writes."""
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        for piece in pieces_of(b"\0", size):
            self.wfile.write(piece)


def pieces_of(fill: bytes, size: int, piece: int = 65536):
    """`size` bytes of `fill` in pieces of at most `piece` bytes."""
    block = fill * piece
    sent = 0
    while sent < size:
        chunk = block[: min(piece, size - sent)]
        sent += len(chunk)
        yield chunk


_bombs: dict = {}
_bomb_lock = threading.Lock()


def gzip_bomb(megabytes: int, fill: bytes, prefix: bytes = b"") -> bytes:
    """A gzip member that inflates to `prefix` and `megabytes` MiB of `fill` (a one-byte string),
    made once (in 1 MiB steps, so neither memory nor the interpreter lock is held for long) and
    reused. Deflate's output does not depend on how its input is split, so the bytes are those of
    compressing the whole at once."""
    key = (megabytes, fill, prefix)
    with _bomb_lock:
        if key not in _bombs:
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)
            chunk = fill * (1 << 20)
            parts = [packer.compress(prefix)]
            for _ in range(megabytes):
                parts.append(packer.compress(chunk))
            parts.append(packer.flush())
            _bombs[key] = b"".join(parts)
        return _bombs[key]
