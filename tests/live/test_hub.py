"""The /live/ hub in-process: replay, heartbeats, and the bound on what a client that does not read may cost."""

import asyncio

from bulletin.front.app import Front
from bulletin.live.hub import FIRST_FRAME, HEARTBEAT_FRAME, LiveHub, encode, requested_last_id, requested_topic
from tests.event_loop import run


def event(event_id, headline="Sirens"):
    return {"id": event_id, "type": "published", "story": {"id": event_id, "headline": headline}}


def test_a_resuming_client_gets_the_events_after_its_id():
    hub = LiveHub()
    hub.seed([event(1), event(2), event(3)])
    subscriber = hub.subscribe(last_id=1)
    assert run(subscriber.next_frames()) == FIRST_FRAME + encode(event(2)) + encode(event(3))
    assert run(hub.subscribe(last_id=None).next_frames()) == FIRST_FRAME


def test_new_events_reach_every_subscriber_once():
    hub = LiveHub()
    first, second = hub.subscribe(None), hub.subscribe(None)
    hub.receive([event(5)])
    hub.receive([event(5), event(6)])  # latest.json read again: 5 is not sent twice
    for subscriber in (first, second):
        assert run(subscriber.next_frames()) == FIRST_FRAME + encode(event(5)) + encode(event(6))


def test_a_removal_takes_the_story_out_of_the_replay():
    """A reader who resumes after a story was unpublished gets the removal, never the story's old event."""
    hub = LiveHub()
    hub.seed([event(1, "Kept"), event(2, "Withdrawn")])
    hub.receive([{"id": 3, "type": "unpublished", "story": {"id": 2}, "removes": [2]}])
    frames = run(hub.subscribe(last_id=0).next_frames())
    assert b"Withdrawn" not in frames
    assert b"Kept" in frames and b'"removes":[2]' in frames


def test_a_client_that_does_not_read_is_dropped_not_buffered():
    hub = LiveHub(max_unsent=1000)
    reader, sleeper = hub.subscribe(None), hub.subscribe(None)
    for _ in range(100):  # 1,400 bytes of heartbeats
        hub.heartbeat()
        run(reader.next_frames())  # this one reads
    assert sleeper.dropped and sleeper.unsent == 0 and sleeper not in hub.subscribers[None]
    assert run(sleeper.next_frames()) is None  # its stream ends; the browser reconnects and resumes
    assert not reader.dropped and reader in hub.subscribers[None]


def test_a_topic_stream_gets_its_topic_only_and_replays_its_topic_only():
    """A live blog's readers follow its topic: they get its entries, not the News Feed's events, and back."""
    hub = LiveHub()
    hub.seed([event(1), {**event(2, "Entry"), "topic": "liveblog-9"}])
    feed, blog, other = hub.subscribe(None), hub.subscribe(0, "liveblog-9"), hub.subscribe(None, "liveblog-10")
    hub.receive([{**event(3, "Second entry"), "topic": "liveblog-9"}, event(4, "Story")])
    assert run(blog.next_frames()) == FIRST_FRAME + encode({**event(2, "Entry"), "topic": "liveblog-9"}) + encode(
        {**event(3, "Second entry"), "topic": "liveblog-9"}
    )
    assert run(feed.next_frames()) == FIRST_FRAME + encode(event(4, "Story"))
    hub.heartbeat()
    assert run(other.next_frames()) == FIRST_FRAME + HEARTBEAT_FRAME
    hub.unsubscribe(other)
    assert "liveblog-10" not in hub.subscribers


def test_the_topic_comes_from_the_query_and_is_a_plain_name():
    assert requested_topic(b"last=3&topic=liveblog-12") == "liveblog-12"
    assert requested_topic(b"last=3") is None
    assert requested_topic(b"topic=../etc") is None
    assert requested_topic(b"topic=") is None


def test_last_event_id_header_wins_over_the_query():
    assert requested_last_id([(b"last-event-id", b"12")], b"last=3") == 12
    assert requested_last_id([], b"x=1&last=3") == 3
    assert requested_last_id([(b"last-event-id", b"nope")], b"") is None


def test_the_stream_sends_events_until_the_client_leaves(tmp_path):
    hub = LiveHub()
    front = Front(cache=None, hub=hub, django=None, max_body_bytes=0, public_dir=tmp_path)
    sent, left = [], asyncio.Event()

    async def receive():
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def session():
        scope = {"type": "http", "method": "GET", "path": "/live/", "query_string": b"", "headers": []}
        stream = asyncio.ensure_future(front(scope, receive, send))
        await asyncio.sleep(0.01)
        hub.receive([event(7)])
        hub.heartbeat()
        await asyncio.sleep(0.01)
        left.set()
        await stream

    run(session())
    assert sent[0]["status"] == 200
    assert (b"content-type", b"text/event-stream; charset=utf-8") in sent[0]["headers"]
    body = b"".join(m["body"] for m in sent[1:])
    assert body == FIRST_FRAME + encode(event(7)) + HEARTBEAT_FRAME
    assert not hub.subscribers


def test_a_stream_that_does_not_read_is_ended_and_can_resume(tmp_path):
    """The client's socket is stuck (send does not return): the hub drops its buffer, and once the socket moves the
    stream ends with an empty last body rather than sending what was dropped."""
    hub = LiveHub(max_unsent=100)
    front = Front(cache=None, hub=hub, django=None, max_body_bytes=0, public_dir=tmp_path)
    sent, unstuck, never = [], asyncio.Event(), asyncio.Event()

    async def receive():
        await never.wait()

    async def send(message):
        sent.append(message)
        if message.get("more_body"):
            await unstuck.wait()

    async def session():
        scope = {"type": "http", "method": "GET", "path": "/live/", "query_string": b"", "headers": []}
        stream = asyncio.ensure_future(front(scope, receive, send))
        await asyncio.sleep(0.01)  # the first frame is being sent, and stuck
        for _ in range(20):  # 280 bytes of heartbeats while it is stuck
            hub.heartbeat()
        unstuck.set()
        await asyncio.wait_for(stream, 1)

    run(session())
    assert sent[1] == {"type": "http.response.body", "body": FIRST_FRAME, "more_body": True}
    assert sent[-1] == {"type": "http.response.body", "body": b""}
    assert not hub.subscribers
