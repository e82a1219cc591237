"""The front of `bulletin serve`: files from public/ at file-server speed, everything else relayed to the app.

Hand-written because no Python server measured on our 2-core machine came near the target of half nginx's
rate for a pre-rendered page: granian's static files about 0.25×, uvicorn or granian answering from memory
0.42–0.58×, while an asyncio protocol on uvloop with httptools (this module) ran at about 1.3× (bench/README.md).
It only answers GET and HEAD for files that exist; every other request is relayed, unchanged, to the Django
app served by granian on a unix socket, so the app's HTTP handling stays granian's.

Files are kept in memory (bounded by BULLETIN_FRONT_CACHE_MB per process, least recently used first) together
with their precompressed .gz and .br variants, ETag and Last-Modified. The publisher bumps public/.generation
after every batch of writes; the front looks at it every GENERATION_POLL seconds and forgets its cache when it
changed, so a publish is visible within that time.
"""

import asyncio
import email.utils
import hashlib
import logging
import http
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote

import httptools

from bulletin.live.stream import requested_last_id
from bulletin.publishing.paths import GONE_MARKER, INDEX, UnsafePath, file_for

from .caching import cache_control_for
from .content_types import content_type_for

logger = logging.getLogger(__name__)

#: Server-sent events of the live News Feed (bulletin/live/stream.py).
LIVE_STREAM = b"/live/"
GENERATION_FILE = ".generation"
GENERATION_POLL = 0.1  # seconds
#: Files larger than this are relayed to the app instead of cached (pages are ~30 KB, renditions ~100 KB).
MAX_CACHED_FILE = 4 * 1024 * 1024
#: Largest request body relayed to the app (the admin's image uploads are limited to 15 MB by default).
MAX_REQUEST_BODY = 64 * 1024 * 1024

#: Headers that describe one hop, never relayed (RFC 9110 §7.6.1).
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"te", b"trailer", b"upgrade"}


class _Clock:
    """The Date header, formatted once a second rather than per response."""

    second, value = 0, b""

    @classmethod
    def date(cls):
        now = int(time.time())
        if now != cls.second:
            cls.second, cls.value = now, email.utils.formatdate(now, usegmt=True).encode()
        return cls.value


class CachedFile:
    """One file ready to send: the status line and headers of each encoding, built once."""

    __slots__ = ("variants", "etags", "mtime", "size", "status")

    def __init__(self, path, url_path, status, bodies):
        stat = path.stat()
        self.status, self.mtime = status, int(stat.st_mtime)
        digest = hashlib.blake2b(bodies[None], digest_size=10).hexdigest()
        content_type = content_type_for(path.name)
        cache_control = cache_control_for(url_path)
        vary = len(bodies) > 1
        self.variants, self.etags, self.size = {}, set(), 0
        for encoding, body in bodies.items():
            etag = f'"{digest}{"-" + encoding if encoding else ""}"'
            self.etags.add(etag.encode())
            headers = [f"Content-Type: {content_type}", f"Cache-Control: {cache_control}", f"ETag: {etag}",
                       f"Last-Modified: {email.utils.formatdate(self.mtime, usegmt=True)}",
                       "X-Content-Type-Options: nosniff"]
            if vary:
                headers.append("Vary: Accept-Encoding")
            if encoding:
                headers.append(f"Content-Encoding: {encoding}")
            if content_type.startswith("text/html"):
                from .middleware import PUBLIC_PAGE_POLICY

                headers.append(f"Content-Security-Policy: {PUBLIC_PAGE_POLICY}")
            common = ("\r\n".join(headers) + "\r\n").encode()
            self.variants[encoding] = (common, body)
            self.size += len(body) + len(common)


class FileCache:
    """URL path → CachedFile for public/ and the media folder, least recently used out first."""

    def __init__(self, public_dir, media_dir, max_bytes):
        self.public_dir, self.media_dir = Path(public_dir), Path(media_dir)
        self.max_bytes, self.bytes = max_bytes, 0
        self.entries = OrderedDict()
        self.generation = self._read_generation()

    def _read_generation(self):
        try:
            return (self.public_dir / GENERATION_FILE).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def check_generation(self):
        """Forget every file if the publisher wrote since the last check; returns whether it did."""
        generation = self._read_generation()
        if generation == self.generation:
            return False
        self.generation = generation
        self.entries.clear()
        self.bytes = 0
        return True

    def get(self, url_path):
        entry = self.entries.get(url_path)
        if entry is not None:
            self.entries.move_to_end(url_path)
            return entry
        entry = self._load(url_path)
        if entry is not None:
            self.entries[url_path] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes and len(self.entries) > 1:
                self.bytes -= self.entries.popitem(last=False)[1].size
        return entry

    def _load(self, url_path):
        """Read the file for ``url_path`` (or its 410 marker) from disk; None when there is none to serve."""
        try:
            decoded = unquote(url_path, errors="strict")
            relative = file_for(decoded)
        except (UnsafePath, UnicodeDecodeError):
            return None
        if decoded.startswith("/media/"):
            root, relative = self.media_dir, relative[len("media/"):]
        else:
            root = self.public_dir
        path, status = root / relative, 200
        if not path.is_file():
            if not relative.endswith(INDEX):
                return None
            path, status = path.with_name(GONE_MARKER), 410
            if not path.is_file():
                return None
        try:
            if path.stat().st_size > MAX_CACHED_FILE:
                return None
            bodies = {None: path.read_bytes()}
            for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
                variant = path.with_name(path.name + suffix)
                if variant.is_file():
                    bodies[encoding] = variant.read_bytes()
            return CachedFile(path, decoded, status, bodies)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None  # removed between the checks: let the app answer


_ENCODING_CHOICES = {}


def preferred_encodings(accept_encoding):
    """The encodings a client accepts, best first (brotli, gzip), from its Accept-Encoding header."""
    choice = _ENCODING_CHOICES.get(accept_encoding)
    if choice is None:
        accepted = set()
        for part in accept_encoding.decode("latin-1").lower().split(","):
            name, _, params = part.strip().partition(";")
            q = params.strip()
            if not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000")):
                accepted.add(name.strip())
        choice = tuple(e for e in ("br", "gzip") if e in accepted or "*" in accepted)
        if len(_ENCODING_CHOICES) < 1024:
            _ENCODING_CHOICES[accept_encoding] = choice
    return choice


def _reason(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class FrontProtocol(asyncio.Protocol):
    """One client connection: answers cached files and the live stream itself, relays the rest to the app in order."""

    def __init__(self, cache, backend_socket, live=None):
        self.cache, self.backend_socket, self.live = cache, backend_socket, live
        self.transport = None
        self.streaming = False  # the connection became a /live/ event stream: nothing more is read from it
        self.parser = httptools.HttpRequestParser(self)
        self.queue = []  # requests waiting for an earlier relayed response (HTTP/1.1 pipelining)
        self.relaying = False
        self._reset()

    def _reset(self):
        self.url, self.headers, self.body, self.body_size = b"", [], [], 0
        self.accept_encoding = self.if_none_match = self.if_modified_since = None

    # asyncio.Protocol
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        if self.streaming:
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(501, "Protocol upgrades are not supported")
        except httptools.HttpParserError:
            self._fail(400, "Malformed request")

    def connection_lost(self, exc):
        if self.streaming:
            self.live.unsubscribe(self.transport)
        self.transport = None

    # httptools callbacks
    def on_message_begin(self):
        self._reset()

    def on_url(self, url):
        self.url += url

    def on_header(self, name, value):
        lowered = name.lower()
        if lowered == b"accept-encoding":
            self.accept_encoding = value
        elif lowered == b"if-none-match":
            self.if_none_match = value
        elif lowered == b"if-modified-since":
            self.if_modified_since = value
        self.headers.append((name, value))

    def on_body(self, body):
        self.body_size += len(body)
        if self.body_size > MAX_REQUEST_BODY:
            self._fail(413, "Request body too large")
            return
        self.body.append(body)

    def on_message_complete(self):
        method = self.parser.get_method()
        keep_alive = self.parser.should_keep_alive()
        request = (method, self.url, self.headers, b"".join(self.body), keep_alive,
                   self.accept_encoding, self.if_none_match, self.if_modified_since)
        if self.relaying or self.queue:
            self.queue.append(request)
            return
        self._handle(request)

    # answering
    def _handle(self, request):
        method, url, headers, _, keep_alive, accept_encoding, if_none_match, if_modified_since = request
        if method in (b"GET", b"HEAD"):
            path, has_query, _ = url.partition(b"?")
            entry = self.cache.get(path.decode("latin-1")) if not has_query else None
            if entry is not None:
                self._send_file(entry, method == b"HEAD", keep_alive, accept_encoding, if_none_match,
                                if_modified_since)
                return
            if path == LIVE_STREAM and method == b"GET" and self.live is not None:
                if self.transport is not None:  # else the client left while an earlier request was relayed
                    self.streaming = True
                    self.live.subscribe(self.transport, requested_last_id(headers, url))
                return
        self.relaying = True
        if self.transport is not None:
            self.transport.pause_reading()
        asyncio.get_running_loop().create_task(self._relay(request)).add_done_callback(_report_failure)

    def _send_file(self, entry, head_only, keep_alive, accept_encoding, if_none_match, if_modified_since):
        encoding = None
        if accept_encoding and len(entry.variants) > 1:
            for candidate in preferred_encodings(accept_encoding):
                if candidate in entry.variants:
                    encoding = candidate
                    break
        common, body = entry.variants[encoding]
        status = entry.status
        if status == 200 and self._not_modified(entry, if_none_match, if_modified_since):
            status, body = 304, b""
        lines = [f"HTTP/1.1 {status} {_reason(status)}\r\n".encode(), b"Date: " + _Clock.date() + b"\r\n", common]
        if status != 304:
            lines.append(b"Content-Length: %d\r\n" % len(body))
        if not keep_alive:
            lines.append(b"Connection: close\r\n")
        lines.append(b"\r\n")
        if not head_only:
            lines.append(body)
        self.transport.write(b"".join(lines))
        if not keep_alive:
            self.transport.close()

    @staticmethod
    def _not_modified(entry, if_none_match, if_modified_since):
        if if_none_match is not None:
            tags = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
            return b"*" in tags or bool(tags & entry.etags)
        if if_modified_since is not None:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since.decode("latin-1"))
            except (TypeError, ValueError):
                return False
            return entry.mtime <= since.timestamp()
        return False

    def _fail(self, status, message):
        if self.transport is None:
            return
        body = message.encode()
        self.transport.write(b"HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
                             b"Connection: close\r\n\r\n%s" % (status, _reason(status).encode(), len(body), body))
        self.transport.close()

    async def _relay(self, request):
        method, url, headers, body, keep_alive, *_ = request
        relay = None
        try:
            reader, writer = await asyncio.open_unix_connection(self.backend_socket)
        except OSError:
            self._fail(502, "The application is not answering; published pages are still served.")
            return
        try:
            peer = self.transport.get_extra_info("peername") if self.transport else None
            lines = [b"%s %s HTTP/1.1\r\n" % (method, url)]
            lines += [b"%s: %s\r\n" % (name, value) for name, value in headers
                      if name.lower() not in HOP_BY_HOP and name.lower() != b"content-length"]
            if peer:
                lines.append(b"X-Forwarded-For: %s\r\n" % str(peer[0]).encode())
            if body:
                lines.append(b"Content-Length: %d\r\n" % len(body))
            lines.append(b"Connection: close\r\n\r\n")
            writer.write(b"".join(lines) + body)
            relay = _ResponseRelay(self.transport, head_only=method == b"HEAD", keep_alive=keep_alive)
            parser = relay.parser = httptools.HttpResponseParser(relay)
            while not relay.complete:
                data = await reader.read(65536)
                if not data:
                    parser.feed_data(b"")  # lets the parser finish a response framed by the end of the stream
                    break
                parser.feed_data(data)
                if self.transport is None:  # the client went away
                    break
            if not relay.complete:
                relay.finish_truncated()
        except (httptools.HttpParserError, ConnectionError, OSError):
            if self.transport is not None and not (relay and relay.started):
                self._fail(502, "The application sent an invalid response.")
            elif self.transport is not None:
                self.transport.close()
            return
        finally:
            writer.close()
        self.relaying = False
        if self.transport is None:
            return
        if not keep_alive:
            self.transport.close()
            return
        self.transport.resume_reading()
        while self.queue and not self.relaying and self.transport is not None:
            self._handle(self.queue.pop(0))


def _report_failure(task):
    if not task.cancelled() and task.exception() is not None:
        logger.error("relaying a request to the app failed", exc_info=task.exception())


class _ResponseRelay:
    """httptools callbacks that copy the app's response to the client, framed for the client's connection."""

    def __init__(self, transport, head_only, keep_alive):
        self.transport, self.head_only, self.keep_alive = transport, head_only, keep_alive
        self.headers, self.chunked, self.started, self.complete = [], False, False, False
        self.parser = None

    def on_header(self, name, value):
        self.headers.append((name, value))

    def on_headers_complete(self):
        self._start(self.parser.get_status_code())

    def _start(self, parser_status):
        self.started = True
        names = {name.lower() for name, _ in self.headers}
        lines = [b"HTTP/1.1 %d %s\r\n" % (parser_status, _reason(parser_status).encode())]
        lines += [b"%s: %s\r\n" % (name, value) for name, value in self.headers if name.lower() not in HOP_BY_HOP]
        bodyless = self.head_only or parser_status in (204, 304) or parser_status < 200
        if b"content-length" not in names and not bodyless:
            self.chunked = True
            lines.append(b"Transfer-Encoding: chunked\r\n")
        if not self.keep_alive:
            lines.append(b"Connection: close\r\n")
        lines.append(b"\r\n")
        self._write(b"".join(lines))

    def on_body(self, body):
        if self.head_only:
            return
        self._write(b"%x\r\n%s\r\n" % (len(body), body) if self.chunked else body)

    def on_message_complete(self):
        if self.chunked:
            self._write(b"0\r\n\r\n")
        self.complete = True

    def finish_truncated(self):
        if self.transport is not None:
            self.transport.close()

    def _write(self, data):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)
