"""Server-sent events at /live/, answered by every front process of `bulletin serve`.

Hand-written on the front's asyncio loop rather than served by the Django app: an open stream there costs a few
kilobytes and no task, where each would hold an ASGI worker's request for as long as the reader keeps the page
open. Events reach the fronts from one of two sources:

- public/live/latest.json, which the publisher rewrites with every publish; each front reads it when
  public/.generation changes. This is the embedded default: any number of front processes on one machine, and
  nothing else to run.
- Redis pub/sub when REDIS_URL is set, so that a publish on one machine reaches readers connected to any machine.
"""

import asyncio
import collections
import json
import logging

from django.conf import settings

from .events import redis_names
from .models import BACKLOG

logger = logging.getLogger(__name__)

#: Tells the browser how long to wait before reconnecting, in milliseconds.
RETRY_MS = 3000
#: A client that has this much unsent data is not reading: drop it rather than buffer without limit.
MAX_UNSENT = 256 * 1024

HEADERS = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/event-stream; charset=utf-8\r\n"
    # no-transform and X-Accel-Buffering keep proxies (nginx, CDNs) from buffering or compressing the stream.
    b"Cache-Control: no-cache, no-transform\r\n"
    b"X-Accel-Buffering: no\r\n"
    b"X-Content-Type-Options: nosniff\r\n"
    b"Connection: close\r\n"  # the stream ends when the connection does
    b"\r\n"
    b"retry: %d\n\n" % RETRY_MS
)
HEARTBEAT_FRAME = b": heartbeat\n\n"


def encode(event):
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))  # one line: JSON escapes newlines
    return f"id: {event['id']}\ndata: {data}\n\n".encode()


def requested_last_id(headers, url):
    """The id after which a client wants events: its Last-Event-ID header (a reconnect) or ?last= (a page)."""
    for name, value in headers:
        if name.lower() == b"last-event-id":
            return _as_id(value)
    _, _, query = url.partition(b"?")
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name == b"last":
            return _as_id(value)
    return None


def _as_id(value):
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


class LiveHub:
    """The open streams of one front process and the recent events to replay to a client that resumes."""

    def __init__(self, backlog_size=BACKLOG):
        self.clients = set()
        self.backlog = collections.OrderedDict()  # event id → encoded frame, oldest first
        self.backlog_size = backlog_size

    def seed(self, events):
        """Remember events that happened before this process started, without sending them."""
        for event in sorted(events, key=lambda e: e["id"]):
            self._remember(event)

    def receive(self, events):
        """Send every event not seen before to every client, oldest first."""
        for event in sorted(events, key=lambda e: e["id"]):
            if event["id"] not in self.backlog:
                self._send_all(self._remember(event))

    def _remember(self, event):
        frame = self.backlog[event["id"]] = encode(event)
        while len(self.backlog) > self.backlog_size:
            self.backlog.popitem(last=False)
        return frame

    def subscribe(self, transport, last_id):
        frames = [HEADERS]
        if last_id is not None:
            frames += [frame for event_id, frame in self.backlog.items() if event_id > last_id]
        transport.write(b"".join(frames))
        self.clients.add(transport)

    def unsubscribe(self, transport):
        self.clients.discard(transport)

    def heartbeat(self):
        """A comment line now and then keeps proxies and load balancers from closing an idle stream."""
        self._send_all(HEARTBEAT_FRAME)

    def _send_all(self, frame):
        for transport in list(self.clients):
            if transport.is_closing():
                self.clients.discard(transport)
            elif transport.get_write_buffer_size() > MAX_UNSENT:
                self.clients.discard(transport)
                transport.close()
            else:
                transport.write(frame)


def read_latest_file(path):
    """The events in public/live/latest.json; none when the file is missing or being replaced."""
    try:
        return json.loads(path.read_bytes())["events"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return []


async def follow_redis(hub, url):
    """Feed ``hub`` from Redis pub/sub; reconnect after an outage and catch up from the backlog list."""
    import redis.asyncio as aioredis

    channel, backlog = redis_names()
    connected_before = False
    while True:
        client = aioredis.from_url(url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(channel)  # before reading the backlog, so nothing falls between the two
                missed = [json.loads(message) for message in await client.lrange(backlog, 0, -1)]
                (hub.receive if connected_before else hub.seed)(missed)
                connected_before = True
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        hub.receive([json.loads(message["data"])])
        except asyncio.CancelledError:
            raise
        except Exception:  # redis.RedisError, OSError: log, wait, reconnect
            logger.warning("live events: Redis at %s is not answering; retrying", url, exc_info=True)
            await asyncio.sleep(1)
        finally:
            await client.aclose()


def start(loop, hub, public_dir, check_generation):
    """Connect ``hub`` to its source of events on ``loop``; returns the function to call each generation poll."""
    loop.call_later(settings.BULLETIN_LIVE_HEARTBEAT, _beat, loop, hub)
    if settings.REDIS_URL:
        loop.create_task(follow_redis(hub, settings.REDIS_URL))
        return check_generation
    latest = public_dir / "live" / "latest.json"
    hub.seed(read_latest_file(latest))

    def check_generation_and_events():
        changed = check_generation()
        if changed:
            hub.receive(read_latest_file(latest))
        return changed

    return check_generation_and_events


def _beat(loop, hub):
    hub.heartbeat()
    loop.call_later(settings.BULLETIN_LIVE_HEARTBEAT, _beat, loop, hub)
