"""Publishing never fails silently: a change whose files cannot be written stays in the outbox, is retried with
backoff, shows in the admin and in /healthz, and reaches readers once the disk is writable again.

public/ is made read-only for real with `chattr +i` (the immutable attribute: even root cannot create, replace
or remove a file in it), as a full or read-only disk would refuse the writes; nothing of ours is mocked.
"""

import datetime
import json
import shutil
import subprocess

import pytest
from django.utils import timezone

from bulletin.live.models import LiveEvent
from bulletin.publishing import build
from bulletin.publishing.failures import PublishFailed
from bulletin.publishing.models import RETRY_FIRST_DELAY, RETRY_MAX_DELAY, OutboxEntry, retry_delay
from bulletin.publishing.paths import file_for
from bulletin.publishing.publisher import Publisher, _seconds_until_next_attempt, refresh_timed_files
from tests.factories import publish_story


def _chattr(flag, path):
    return subprocess.run(["chattr", "-R", flag, str(path)], capture_output=True, text=True)


@pytest.fixture
def read_only(public):
    """Returns a function that makes public/ immutable (every folder and file in it) until the test ends or it
    is called with False."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr (e2fsprogs) is not installed")
    state = {"on": False}

    def make(on=True):
        done = _chattr("+i" if on else "-i", public)
        if on and done.returncode != 0:
            pytest.skip(f"this filesystem has no immutable attribute (tmpfs, overlay): {done.stderr.strip()}")
        state["on"] = on

    yield make
    if state["on"]:
        _chattr("-i", public)


def test_retries_back_off_from_one_second_to_five_minutes():
    assert [retry_delay(n).total_seconds() for n in range(1, 11)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert retry_delay(1) == RETRY_FIRST_DELAY and retry_delay(1000) == RETRY_MAX_DELAY


def test_a_publish_that_cannot_be_written_stays_pending_until_public_is_writable(
    public, read_only, client, client_for, settings, django_capture_on_commit_callbacks
):
    read_only()
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        story = publish_story("Written while public was read-only")
    story_file = public / file_for(story.url)
    assert not story_file.exists()

    failing = list(OutboxEntry.objects.failing())
    assert failing and all(entry.done_at is None for entry in failing)
    assert OutboxEntry.objects.pending().count() == len(failing) == 2  # the story's pages, then its feeds
    for entry in failing:
        assert entry.attempts == 1 and "Operation not permitted" in entry.last_error
        assert started + RETRY_FIRST_DELAY <= entry.next_attempt_at <= timezone.now() + RETRY_FIRST_DELAY

    # The publisher thread sleeps until then; not due yet, nothing is tried. Due: tried, failing, the wait doubles.
    assert 0 < _seconds_until_next_attempt() <= RETRY_FIRST_DELAY.total_seconds() + 0.05
    assert Publisher().publish_pending() == 0 and OutboxEntry.objects.failing().get(pk=failing[0].pk).attempts == 1
    retry_at = timezone.now() + RETRY_FIRST_DELAY
    with pytest.raises(PublishFailed):  # the scheduler logs it; the news sitemap is refreshed on its next run
        refresh_timed_files(now=retry_at)  # what the embedded scheduler of `bulletin serve` runs
    entry = OutboxEntry.objects.get(pk=failing[0].pk)
    assert entry.attempts == 2 and entry.next_attempt_at >= retry_at - RETRY_FIRST_DELAY + retry_delay(2)

    # /healthz tells, without being cached; degraded (503) once failing for longer than the threshold.
    response = client.get("/healthz")
    health = json.loads(response.content)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert health["status"] == "ok" and health["outbox"]["pending"] == 2 and health["outbox"]["failing"] == 2
    assert "Operation not permitted" in health["outbox"]["last_error"]
    assert datetime.datetime.fromisoformat(health["outbox"]["oldest_pending_at"]) >= started
    assert health["outbox"]["oldest_pending_age_seconds"] >= 0
    settings.BULLETIN_HEALTH_MAX_FAILING_SECONDS = 0
    response = client.get("/healthz")
    assert response.status_code == 503 and json.loads(response.content)["status"] == "degraded"
    assert not (public / "healthz").exists()

    # Editors are told, on the dashboard and (through a message) on every admin page.
    since = timezone.localtime(failing[0].created_at).strftime("%H:%M")
    expected = f"1 change has not reached the public site since {since}: "
    editor = client_for("Editors")
    dashboard = editor.get("/admin/").content.decode()
    assert expected in dashboard and "Operation not permitted" in dashboard
    assert "publishing/outbox-warning.js" in editor.get("/admin/pages/").content.decode()
    warning = editor.get("/admin/publishing/outbox-warning/").json()["warning"]
    assert warning.startswith(expected)
    assert client.get("/admin/publishing/outbox-warning/").status_code == 302  # signed out: nothing to read

    # The disk is fixed: the next retry publishes the story and its live event, with no `bulletin build`.
    read_only(False)
    refresh_timed_files(now=timezone.now() + RETRY_MAX_DELAY)
    assert story_file.is_file()
    latest = json.loads((public / "live/latest.json").read_text())["events"]
    assert latest[-1]["id"] == LiveEvent.objects.last().id and latest[-1]["story"]["id"] == story.pk
    assert not OutboxEntry.objects.pending().exists()
    health = client.get("/healthz")
    assert health.status_code == 200 and json.loads(health.content)["outbox"]["failing"] == 0
    assert "have not reached" not in editor.get("/admin/").content.decode()
    assert editor.get("/admin/publishing/outbox-warning/").json()["warning"] is None
    assert build.check().ok


def test_a_failing_change_does_not_hold_back_the_next_one(public, read_only, django_capture_on_commit_callbacks):
    read_only()
    with django_capture_on_commit_callbacks(execute=True):
        first = publish_story("Stuck for a while")
    read_only(False)
    # As if its next attempt were minutes away (after a few failures), however slow this machine is.
    OutboxEntry.objects.failing().update(next_attempt_at=timezone.now() + RETRY_MAX_DELAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = publish_story("Published right after")
    # The first change waits for its retry time; the second is published at once, and the files both show
    # (the News Feed head) are rendered from the database as it is now, so they list both stories already.
    assert (public / file_for(second.url)).is_file() and not (public / file_for(first.url)).exists()
    assert first.url in (public / "index.html").read_text()
    assert OutboxEntry.objects.failing().count() == 2
    Publisher().publish_pending(retry_now=True)  # as `bulletin serve` does when it starts
    assert (public / file_for(first.url)).is_file() and not OutboxEntry.objects.pending().exists()
    assert build.check().ok


def test_the_healthz_answer_is_ok_and_never_cached(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body == {
        "status": "ok",
        "outbox": {
            "pending": 0,
            "failing": 0,
            "oldest_pending_at": None,
            "oldest_pending_age_seconds": None,
            "last_error": "",
        },
    }
