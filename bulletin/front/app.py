"""The ASGI application of `bulletin serve`, run by granian in every worker process.

granian (hyper underneath) owns the sockets: parsing, limits, timeouts, keep-alive, HTTP/2. This application
decides what to answer, in this order:

1. GET or HEAD of /live/: the live News Feed's server-sent events, from the process's LiveHub;
2. GET or HEAD of a URL that is a file in public/ or the media folder: the file, from memory, whatever the query
   string (share links must never reach Django), except under the prefixes whose answers depend on the query
   (bulletin/web/dynamic_paths.py);
3. anything else: ``django``, an ASGI application: in `bulletin serve` the relay to the Django processes
   (relay.py, django_processes.py), so that no view ever runs in the process that answers files. Reader search
   (/search/) first waits for its turn at the ``search_gate`` while the worker is short of CPU (search_gate.py).
"""

import asyncio
import logging

from bulletin.live.hub import HEADERS as STREAM_HEADERS
from bulletin.live.hub import beat, follow_redis, read_latest_file, requested_last_id, requested_topic
from bulletin.web.content_coding import choose_coding
from bulletin.web.dynamic_paths import needs_query

from .files import CHUNK, MEDIA_PREFIX
from .negotiation import UNSATISFIABLE, byte_range, if_range_matches, not_modified
from .redirects import Redirects

logger = logging.getLogger(__name__)

LIVE_STREAM = "/live/"
#: How often each process looks at public/.generation for a publish (seconds).
GENERATION_POLL = 0.1
STREAM_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(name.encode(), value.encode()) for name, value in STREAM_HEADERS],
}
TOO_LARGE = b"Request body too large\n"
SEARCH_PREFIX = "/search/"
SEARCH_BUSY = b"Search is busy; please try again in a few seconds\n"
#: For a search that waited its longest at the gate: when to ask again, and never kept by a CDN.
SEARCH_BUSY_HEADERS = ((b"retry-after", b"5"), (b"cache-control", b"no-store"))
MALFORMED = b"Malformed request body\n"
NOT_FOUND = b"Not found\n"


class Front:
    """The ASGI application: files and /live/ in the event loop, the rest to ``django``."""

    def __init__(
        self, cache, hub, django, max_body_bytes, redis_url="", heartbeat=15.0, public_dir=None, search_gate=None
    ):
        self.cache, self.hub, self.django, self.search_gate = cache, hub, django, search_gate
        self.max_body_bytes, self.redis_url, self.heartbeat = max_body_bytes, redis_url, heartbeat
        self.latest = (public_dir or cache.public_dir) / "live" / "latest.json"
        self.redirects = Redirects(public_dir or cache.public_dir)
        self.redirects.load()
        self.tasks = []

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "http":
            method = scope["method"]
            if method == "GET" or method == "HEAD":
                path = scope["path"]
                if path == LIVE_STREAM:
                    return await self.stream_events(scope, receive, send)
                if self.redirects.active:
                    target = self.redirects.target(path, scope["query_string"])
                    if target:
                        return await send_redirect(send, target)
                if not scope["query_string"] or not needs_query(path):
                    entry = self.cache.get(path)
                    if entry is not None:
                        return await send_file(entry, scope, send)
                    if path.startswith(MEDIA_PREFIX):  # uploads are files or nothing: Django has no more to say
                        return await send_plain(send, 404, NOT_FOUND)
                if self.search_gate is not None and path.startswith(SEARCH_PREFIX):
                    return await self.gated_search(scope, receive, send)
            return await self.to_django(scope, receive, send)
        if kind == "lifespan":
            return await self.lifespan(receive, send)
        # websockets are off in granian; anything else is not ours to answer

    # Django, with the request body limit nginx calls client_max_body_size
    async def to_django(self, scope, receive, send):
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                return await send_plain(send, 413, TOO_LARGE)  # refused before a byte of the body is read
        received, too_large, answered = 0, False, False

        async def limited_receive():
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    # Django gives up on a request whose client left (RequestAborted) and sends nothing.
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message):
            nonlocal answered
            answered = True
            await send(message)

        await self.django(scope, limited_receive, watched_send)
        if not answered:
            # Django gave up reading the body: too large, or granian could not read it (a bad chunk size, bare
            # LF line endings) and said the client left. If it did leave, nobody reads this answer.
            await send_plain(send, *((413, TOO_LARGE) if too_large else (400, MALFORMED)))

    async def gated_search(self, scope, receive, send):
        """A GET or HEAD of /search/ through the search gate. The client's leaving is watched from the start
        (granian tells it only through ``receive``), so that a search nobody waits for any more is never run; a
        body, which a GET does not have in meaning, is read and dropped, and Django gets none."""

        async def until_left():
            while (message := await receive())["type"] != "http.disconnect":
                pass
            return message

        left = asyncio.ensure_future(until_left())
        body_given = False

        async def receive_after_the_gate():
            nonlocal body_given
            if not body_given:
                body_given = True
                return EMPTY_REQUEST
            return await asyncio.shield(left)

        try:
            async with self.search_gate.turn(left) as admitted:
                if admitted:
                    return await self.to_django(scope, receive_after_the_gate, send)
                if not left.done():
                    return await send_plain(send, 503, SEARCH_BUSY, SEARCH_BUSY_HEADERS)
        finally:
            left.cancel()

    # /live/
    async def stream_events(self, scope, receive, send):
        query = scope["query_string"]
        subscriber = self.hub.subscribe(requested_last_id(scope["headers"], query), requested_topic(query))
        left = asyncio.ensure_future(_disconnected(receive))
        left.add_done_callback(lambda _: subscriber.close())
        try:
            await send(STREAM_START)
            if scope["method"] == "HEAD":
                return await send({"type": "http.response.body", "body": b""})
            while (body := await subscriber.next_frames()) is not None:
                await send({"type": "http.response.body", "body": body, "more_body": True})
            if not left.done():  # dropped for not reading: end the stream; the browser resumes
                await send({"type": "http.response.body", "body": b""})
        except OSError:  # the client left while a frame was being sent
            return
        finally:
            self.hub.unsubscribe(subscriber)
            left.cancel()

    # lifespan: what each worker runs beside the requests
    async def lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in self.tasks:
                    task.cancel()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def start(self):
        """Start polling public/.generation, following live events and sending heartbeats."""
        if self.redis_url:
            self.tasks.append(asyncio.ensure_future(follow_redis(self.hub, self.redis_url)))
        else:
            self.hub.seed(read_latest_file(self.latest))
        self.tasks.append(asyncio.ensure_future(self.poll_generation()))
        self.tasks.append(asyncio.ensure_future(beat(self.hub, self.heartbeat)))
        if self.search_gate is not None:
            self.tasks.append(asyncio.ensure_future(self.search_gate.watch()))

    async def poll_generation(self):
        while True:
            await asyncio.sleep(GENERATION_POLL)
            try:
                if self.cache.forget_if_published():
                    self.redirects.load()
                    if not self.redis_url:
                        self.hub.receive(read_latest_file(self.latest))
            except Exception:  # a poll must never stop polling
                logger.exception("checking public/.generation failed")


async def _disconnected(receive):
    while (await receive())["type"] != "http.disconnect":
        pass


def _request_headers(headers):
    """The request headers a file answer looks at, as str (None when absent)."""
    accept = inm = ims = range_ = if_range = None
    for name, value in headers:
        if name == b"accept-encoding":
            accept = value.decode("latin-1")
        elif name == b"if-none-match":
            inm = value.decode("latin-1")
        elif name == b"if-modified-since":
            ims = value.decode("latin-1")
        elif name == b"range":
            range_ = value.decode("latin-1")
        elif name == b"if-range":
            if_range = value.decode("latin-1")
    return accept, inm, ims, range_, if_range


#: Accept-Encoding value and the codings a file has → the coding to send. Clients send a handful of distinct
#: values, and parsing q-values on every answer cost a tenth of the front's time per file.
_CODINGS_CHOSEN = {}
EMPTY_BODY = {"type": "http.response.body", "body": b""}
EMPTY_REQUEST = {"type": "http.request", "body": b"", "more_body": False}


def _coding_for(accept, variants):
    key = (accept, len(variants), "br" in variants)
    coding = _CODINGS_CHOSEN.get(key, False)
    if coding is False:
        coding = choose_coding(accept, variants)
        if len(_CODINGS_CHOSEN) < 4096:
            _CODINGS_CHOSEN[key] = coding
    return coding


async def send_file(entry, scope, send):
    """Answer with ``entry``: the chosen coding, 304, 206 or 416, HEAD without its body."""
    accept, inm, ims, range_, if_range = _request_headers(scope["headers"])
    coding = _coding_for(accept, entry.variants) if accept and len(entry.variants) > 1 else None
    if inm is None and ims is None and range_ is None and coding in entry.whole:
        start, whole = entry.whole[coding]
        await send(start)
        return await send(whole if scope["method"] == "GET" else EMPTY_BODY)
    body, etag, headers = entry.variants[coding]
    length = len(body) if body is not None else entry.length
    status, first, last = entry.status, 0, length - 1
    if status == 200 and (inm is not None or ims is not None) and not_modified(inm, ims, entry.etags, entry.mtime):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        return await send({"type": "http.response.body", "body": b""})
    if status == 200 and range_ is not None and if_range_matches(if_range, etag, entry.last_modified):
        wanted = byte_range(range_, length)
        if wanted is UNSATISFIABLE:
            await send(
                {
                    "type": "http.response.start",
                    "status": 416,
                    "headers": [*headers, (b"content-range", b"bytes */%d" % length), (b"content-length", b"0")],
                }
            )
            return await send({"type": "http.response.body", "body": b""})
        if wanted is not None:
            status, (first, last) = 206, wanted
            headers = [*headers, (b"content-range", b"bytes %d-%d/%d" % (first, last, length))]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", b"%d" % (last - first + 1))],
        }
    )
    if scope["method"] == "HEAD":
        return await send(EMPTY_BODY)
    if body is not None:
        return await send({"type": "http.response.body", "body": body if status != 206 else body[first : last + 1]})
    await _send_from_disk(entry.path, first, last, send)


async def _send_from_disk(path, first, last, send):
    with open(path, "rb") as file:
        file.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = file.read(min(CHUNK, remaining))
            if not chunk:  # the file shrank under us: the connection must not hang waiting
                raise OSError(f"{path} changed while it was being sent")
            remaining -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})


async def send_redirect(send, location):
    """A permanent redirect to ``location`` (an editor's, or an imported site's old URL)."""
    await send(
        {
            "type": "http.response.start",
            "status": 301,
            "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def send_plain(send, status, text, headers=()):
    """A short text/plain answer, with ``headers`` besides its type and length."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"%d" % len(text)),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": text})
