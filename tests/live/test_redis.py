"""Across machines: two `bulletin serve` processes with their own public/ folders, one database, and the real Redis
on 127.0.0.1:6379. A story published where one of them runs reaches readers connected to the other."""

import json
import uuid

import pytest
import redis

from tests.live.sse import EventStream
from tests.live.test_stream import PUBLISH
from tests.servers import Server, bulletin, demo_copy, manage_code, server_env

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def machines(tmp_path_factory):
    """Servers "a" and "b": one SQLite database and media folder (in a's folder), separate public/ folders, one
    Redis channel."""
    channel = f"bulletin-test:{uuid.uuid4().hex}"  # pub/sub channels are global: keep runs apart
    folder_a, folder_b = tmp_path_factory.mktemp("machine-a"), tmp_path_factory.mktemp("machine-b")
    # Machines share the database and the uploaded media (a database server and a shared volume), not public/.
    shared = {
        "REDIS_URL": REDIS_URL,
        "BULLETIN_LIVE_CHANNEL": channel,
        "DATABASE_URL": f"sqlite:///{folder_a / 'bulletin.sqlite3'}",
        "BULLETIN_MEDIA_ROOT": str(folder_a / "media"),
    }
    env_a, env_b = server_env(folder_a, **shared), server_env(folder_b, **shared)
    demo_copy(tmp_path_factory, folder_a, "--stories", "30", "--quiet")  # and a's public/, built
    bulletin(env_b, "build", "--quiet")
    a, b = Server(env_a, folder_a / "serve.log"), Server(env_b, folder_b / "serve.log")
    yield {"a": (a, env_a, folder_a), "b": (b, env_b, folder_b), "channel": channel}
    a.stop()
    b.stop()
    redis.Redis.from_url(REDIS_URL).delete(f"{channel}:backlog")


def test_a_publish_on_one_machine_reaches_readers_of_the_other(machines):
    server_b, _, folder_b = machines["b"]
    _, env_a, _ = machines["a"]
    readers = [EventStream(server_b.port) for _ in range(4)]  # on both workers of b
    try:
        story_id = int(
            manage_code(env_a, PUBLISH.format(title="Published on a", slug="published-on-a")).splitlines()[-1]
        )
        for reader in readers:
            event = reader.next_event(where=lambda e: e["story"]["id"] == story_id)
            assert event is not None and event["type"] == "published"
    finally:
        for reader in readers:
            reader.close()
    # It came through Redis: b's own polling file never heard of it (only a's publisher wrote files).
    latest_b = json.loads((folder_b / "public" / "live" / "latest.json").read_text())
    assert story_id not in [e.get("story", {}).get("id") for e in latest_b["events"]]  # not every event names one
    backlog = redis.Redis.from_url(REDIS_URL).lrange(f"{machines['channel']}:backlog", 0, -1)
    assert json.loads(backlog[0])["story"]["id"] == story_id


def test_a_reader_of_the_other_machine_resumes_after_a_missed_event(machines):
    server_b, _, _ = machines["b"]
    _, env_a, _ = machines["a"]
    story_id = int(
        manage_code(env_a, PUBLISH.format(title="While you were away", slug="while-you-were-away")).splitlines()[-1]
    )
    newest = json.loads(redis.Redis.from_url(REDIS_URL).lrange(f"{machines['channel']}:backlog", 0, 0)[0])
    assert newest["story"]["id"] == story_id
    reader = EventStream(server_b.port, headers={"Last-Event-ID": str(newest["id"] - 1)})
    try:
        event = reader.next_event(timeout=5)
    finally:
        reader.close()
    assert event is not None and event["id"] == newest["id"]


def test_a_publish_succeeds_when_redis_is_down(tmp_path_factory, tmp_path):
    env = server_env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    demo_copy(tmp_path_factory, tmp_path, "--stories", "5", "--quiet")
    printed = manage_code(
        env,
        PUBLISH.format(title="Redis is down", slug="redis-is-down") + "print(StoryPage.objects.get(pk=story.pk).live)",
    )
    assert printed.splitlines()[-1] == "True"
    assert "Redis is down" in (tmp_path / "public" / "live" / "latest.json").read_text()
