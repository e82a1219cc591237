"""The /live/ hub: the open server-sent event streams of one process and the events to replay to a client that
resumes. The front of `bulletin serve` (bulletin/front/) answers GET /live/ with it, in the event loop, so an open
stream costs a coroutine and a small buffer, never a Django worker.

Events reach the hub from one of two sources:

- public/live/latest.json, which the publisher rewrites with every publish; the front reads it when
  public/.generation changes. This is the embedded default: any number of processes on one machine, nothing
  else to run.
- Redis pub/sub when REDIS_URL is set (`follow_redis`), so that a publish on one machine reaches readers
  connected to any machine.
"""

import asyncio
import collections
import json
import logging

from .events import redis_names
from .models import BACKLOG

logger = logging.getLogger(__name__)

#: Tells the browser how long to wait before reconnecting, in milliseconds.
RETRY_MS = 3000
#: A client with this much unsent data is not reading: drop it (it reconnects and resumes with Last-Event-ID)
#: rather than buffer without limit.
MAX_UNSENT = 256 * 1024

#: The response headers of a stream. no-transform and X-Accel-Buffering keep proxies (nginx, CDNs) from
#: buffering or compressing it.
HEADERS = (
    ("content-type", "text/event-stream; charset=utf-8"),
    ("cache-control", "no-cache, no-transform"),
    ("x-accel-buffering", "no"),
    ("x-content-type-options", "nosniff"),
)
FIRST_FRAME = b"retry: %d\n\n" % RETRY_MS
HEARTBEAT_FRAME = b": heartbeat\n\n"


def encode(event):
    """The SSE frame of ``event``: its id, and its JSON on one line (JSON escapes newlines)."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event['id']}\ndata: {data}\n\n".encode()


def requested_topic(query_string):
    """The topic a client follows (?topic=liveblog-12: one live blog's entries), or None for the News Feed's
    events. Only letters, digits and hyphens: anything else is no topic a publisher sends."""
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name == b"topic" and 0 < len(value) <= 64 and value.replace(b"-", b"").isalnum():
            return value.decode("ascii")
    return None


def requested_last_id(headers, query_string):
    """The id after which a client wants events: its Last-Event-ID header (a reconnect) or ?last= (a page).
    ``headers`` are ASGI (lowercase name, value) byte pairs."""
    for name, value in headers:
        if name == b"last-event-id":
            return _as_id(value)
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name == b"last":
            return _as_id(value)
    return None


def _as_id(value):
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


class Subscriber:
    """One open stream: the frames not yet sent, bounded by MAX_UNSENT bytes.

    An event costs each stream one append and one wake-up of its own coroutine: the frame is encoded once for
    all of them (LiveHub._remember), and the stream's coroutine waits on ``ready`` alone (the client leaving ends
    it through ``close``), so no task or callback is made per stream and per event.
    """

    def __init__(self, max_unsent=MAX_UNSENT):
        self.frames, self.unsent, self.max_unsent = [], 0, max_unsent
        self.dropped = False
        self.ready = asyncio.Event()

    def close(self):
        """The client left: next_frames answers None from now on."""
        self.dropped, self.frames, self.unsent = True, [], 0
        self.ready.set()

    def push(self, frame):
        if self.dropped:
            return
        if self.unsent + len(frame) > self.max_unsent:
            self.dropped, self.frames, self.unsent = True, [], 0  # the stream ends; the client resumes
        else:
            self.frames.append(frame)
            self.unsent += len(frame)
        self.ready.set()

    async def next_frames(self):
        """The frames pushed since the last call, joined; None once the client was dropped for not reading or
        left."""
        await self.ready.wait()
        self.ready.clear()
        if self.dropped:
            return None
        frames, self.frames, self.unsent = b"".join(self.frames), [], 0
        return frames


class LiveHub:
    """The subscribers of one process and the recent events (the backlog) to replay.

    Every event has a topic: None for the News Feed's, a live blog's own (``"topic"`` in the event) for its
    entries. A stream follows one topic and gets only its events, so a burst of entries on a live blog costs
    nothing to the readers of the News Feed or of another blog.
    """

    def __init__(self, backlog_size=BACKLOG, max_unsent=MAX_UNSENT):
        self.subscribers = collections.defaultdict(set)  # topic → its open streams
        self.backlog = collections.OrderedDict()  # event id → (topic, encoded frame), oldest first
        self.backlog_size, self.max_unsent = backlog_size, max_unsent

    def seed(self, events):
        """Remember events that happened before this process started, without sending them."""
        for event in sorted(events, key=lambda e: e["id"]):
            self._remember(event)

    def receive(self, events):
        """Send every event not seen before to every subscriber of its topic, oldest first."""
        for event in sorted(events, key=lambda e: e["id"]):
            if event["id"] not in self.backlog:
                self._send_all(self._remember(event), self.subscribers.get(event.get("topic")))

    def _remember(self, event):
        # A removal (an unpublished or deleted story) names the earlier events of that story: a reader who resumes
        # must never be replayed their headline or link (docs/live.md).
        for removed_id in event.get("removes", ()):
            self.backlog.pop(removed_id, None)
        frame = encode(event)
        self.backlog[event["id"]] = (event.get("topic"), frame)
        while len(self.backlog) > self.backlog_size:
            self.backlog.popitem(last=False)
        return frame

    def subscribe(self, last_id, topic=None):
        """A new Subscriber to ``topic``, holding its events after ``last_id`` (none when it is None) to send
        first."""
        subscriber = Subscriber(self.max_unsent)
        subscriber.topic = topic
        subscriber.push(FIRST_FRAME)
        if last_id is not None:
            for event_id, (event_topic, frame) in self.backlog.items():
                if event_id > last_id and event_topic == topic:
                    subscriber.push(frame)
        self.subscribers[topic].add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber):
        streams = self.subscribers.get(subscriber.topic)
        if streams is not None:
            streams.discard(subscriber)
            if not streams:
                del self.subscribers[subscriber.topic]  # a blog nobody reads any more leaves no entry behind

    def heartbeat(self):
        """A comment line now and then keeps proxies and load balancers from closing an idle stream."""
        for streams in list(self.subscribers.values()):
            self._send_all(HEARTBEAT_FRAME, streams)

    def _send_all(self, frame, streams):
        for subscriber in list(streams or ()):
            subscriber.push(frame)
            if subscriber.dropped:
                streams.discard(subscriber)


def read_latest_file(path):
    """The events in public/live/latest.json; none when the file is missing or being replaced."""
    try:
        return json.loads(path.read_bytes())["events"]
    except (OSError, ValueError, KeyError, TypeError):
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


async def beat(hub, seconds):
    """Send a heartbeat to every stream of ``hub`` every ``seconds``, until cancelled."""
    while True:
        await asyncio.sleep(seconds)
        hub.heartbeat()
