"""A real `bulletin serve` whose public/ turns read-only (`chattr +i`, as in test_failures.py): its scheduler keeps
retrying the change, /healthz tells through the front, and the change reaches readers once the disk is fixed."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.publishing.test_failures import _chattr
from tests.servers import demo_copy, free_port, manage_code, request, server_env

PUBLISH = """
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage
story = StoryPage(title="Held back by a read-only disk", slug="held-back", summary="Published to a read-only disk.",
                  section=Section.objects.first(), live=False)
story.bylines = [Byline(author=Author.objects.first())]
NewsFeedPage.objects.get().add_child(instance=story)
story.save_revision().publish()
print(story.pk)
"""


def test_bulletin_serve_retries_until_the_disk_is_writable_again(tmp_path_factory, tmp_path):
    """A real `bulletin serve` (its scheduler every second): /healthz through the front tells of the failure, and
    once public/ is writable again the scheduler's retry publishes the story and its live event."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr (e2fsprogs) is not installed")
    env = server_env(tmp_path, BULLETIN_SCHEDULER_INTERVAL="1", BULLETIN_HEALTH_MAX_FAILING_SECONDS="3600")
    demo_copy(tmp_path_factory, tmp_path, "--stories", "5", "--quiet")
    public, port = tmp_path / "public", free_port()
    log = open(tmp_path / "serve.log", "w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    immutable = False
    try:
        _wait_for(lambda: _answers(port, "/"), server, log)
        done = _chattr("+i", public)
        if done.returncode != 0:
            pytest.skip(f"this filesystem has no immutable attribute: {done.stderr.strip()}")
        immutable = True
        story_id = int(manage_code(env, PUBLISH).splitlines()[-1])
        status, headers, body = request(port, "/healthz")
        health = json.loads(body)
        assert status == 200 and headers["Cache-Control"] == "no-store"
        assert health["outbox"]["failing"] == 2 and "Operation not permitted" in health["outbox"]["last_error"]
        assert request(port, "/held-back/")[0] == 200  # the app renders what public/ lacks meanwhile

        _chattr("-i", public)
        immutable = False
        _wait_for(lambda: (public / "held-back/index.html").is_file(), server, log, seconds=30)
        _wait_for(lambda: json.loads(request(port, "/healthz")[2])["outbox"]["pending"] == 0, server, log)
        events = json.loads((public / "live/latest.json").read_text())["events"]
        assert events[-1]["story"]["id"] == story_id and events[-1]["type"] == "published"
        assert not (public / "healthz").exists()
    finally:
        if immutable:
            _chattr("-i", public)
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        log.close()


def _answers(port, path):
    try:
        return request(port, path)[0] == 200
    except OSError:
        return False


def _wait_for(condition, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"gave up waiting; bulletin serve said:\n{log.read()[-5000:]}")
        time.sleep(0.2)
