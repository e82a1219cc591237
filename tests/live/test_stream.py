"""/live/ on a real `bulletin serve` (two workers): headers, delivery, resume and heartbeats."""

import json

import pytest

from tests.live.sse import EventStream
from tests.servers import request

PUBLISH = """
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage
story = StoryPage(title={title!r}, slug={slug!r}, summary="Live from the desk.", section=Section.objects.first(),
                  live=False)
story.bylines = [Byline(author=Author.objects.first())]
NewsFeedPage.objects.get().add_child(instance=story)
story.save_revision().publish()
print(story.pk)
"""


def publish(manage, title, slug):
    return int(manage(PUBLISH.format(title=title, slug=slug)).splitlines()[-1])


@pytest.fixture
def streams(server):
    opened = []

    def open_stream(**kwargs):
        stream = EventStream(server[0], **kwargs)
        opened.append(stream)
        return stream

    yield open_stream
    for stream in opened:
        stream.close()


def test_the_stream_has_headers_that_stop_buffering(streams):
    stream = streams()
    assert stream.status == 200
    assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert "no-cache" in stream.headers["cache-control"] and "no-transform" in stream.headers["cache-control"]
    assert stream.headers["x-accel-buffering"] == "no"
    first = next(stream.frames())
    assert first == {"retry": "3000"}


def test_every_open_stream_gets_a_publish(server, streams):
    port, public, manage, _ = server
    # Ten connections: the kernel spreads them over both workers (each has its own SO_REUSEPORT socket).
    clients = [streams() for _ in range(10)]
    story_id = publish(manage, "Sirens over the capital", "sirens-over-the-capital")

    for client in clients:
        event = client.next_event(where=lambda e: e["story"]["id"] == story_id)
        assert event is not None, "a client did not get the event"
        assert event["type"] == "published"
        assert event["story"]["headline"] == "Sirens over the capital"
        assert event["story"]["url"] == "/sirens-over-the-capital/"
        assert f'data-story="{story_id}"' in event["html"] and "<h3" in event["html_compact"]
    # The same event is in the polling file, with the few seconds of cache the fallback expects.
    status, headers, body = request(port, "/live/latest.json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "public, max-age=2, s-maxage=2"
    assert json.loads(body)["events"][-1]["story"]["id"] == story_id


def test_a_reconnecting_client_gets_what_it_missed(server, streams):
    port, _, manage, _ = server
    first = publish(manage, "First of two", "first-of-two")
    second = publish(manage, "Second of two", "second-of-two")
    events = json.loads(request(port, "/live/latest.json")[2])["events"]
    # latest.json holds every topic's events, and not all of them name a story (a live blog's status, the banner).
    first_id = next(e["id"] for e in events if e.get("story", {}).get("id") == first)

    resumed = streams(headers={"Last-Event-ID": str(first_id)})
    replayed = resumed.next_event(timeout=5)
    assert replayed is not None and replayed["story"]["id"] == second
    # A page that opens the stream with the id it was rendered with (?last=) gets the same.
    from_page = streams(path=f"/live/?last={first_id}")
    assert from_page.next_event(timeout=5)["story"]["id"] == second
    # A new client without an id starts from now: nothing is replayed.
    fresh = streams()
    assert fresh.next_event(timeout=2) is None


def test_unpublishing_sends_an_event_without_an_item(server, streams):
    _, _, manage, _ = server
    story_id = publish(manage, "Soon withdrawn", "soon-withdrawn")
    client = streams()
    manage(f"from bulletin.newsroom.models import StoryPage\nStoryPage.objects.get(pk={story_id}).unpublish()")
    event = client.next_event(where=lambda e: e["story"]["id"] == story_id)
    assert event["type"] == "unpublished" and "html" not in event


def test_idle_streams_get_heartbeats(streams):
    stream = streams()
    comments = [frame for frame in stream.frames(timeout=3) if "data" not in frame]
    assert {"": "heartbeat"} in comments
