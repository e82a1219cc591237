"""The Redis backlog (the list fronts catch up from) forgets a story's events once it is removed; the real Redis
on 127.0.0.1:6379, a channel of its own."""

import json
import uuid

import pytest
import redis

from bulletin.live.models import LiveEvent
from tests.factories import publish_story

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def backlog(settings, db):
    """The Redis list of a channel used by this test alone; returns a function that reads it, newest first."""
    settings.REDIS_URL = REDIS_URL
    settings.BULLETIN_LIVE_CHANNEL = f"bulletin-test:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(REDIS_URL)
    name = f"{settings.BULLETIN_LIVE_CHANNEL}:backlog"
    yield lambda: [json.loads(raw) for raw in client.lrange(name, 0, -1)]
    client.delete(name)
    client.close()


def test_unpublishing_drops_the_storys_events_from_the_redis_backlog(backlog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        other = publish_story("Another story stays")
        story = publish_story("Soon to be unpublished")
    with django_capture_on_commit_callbacks(execute=True):
        story.title = "Soon to be unpublished, edited"
        story.save_revision().publish()
    assert [e["story"]["id"] for e in backlog()] == [story.pk, story.pk, other.pk]
    earlier = [e["id"] for e in backlog()[:2]]

    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()
    events = backlog()
    assert [e["type"] for e in events] == ["unpublished", "published"]
    assert events[0]["story"] == {"id": story.pk} and sorted(events[0]["removes"]) == sorted(earlier)
    assert events[0]["id"] == LiveEvent.objects.last().id
    assert events[1]["story"]["id"] == other.pk
    assert "Soon to be unpublished" not in json.dumps(events) and story.url not in json.dumps(events)
