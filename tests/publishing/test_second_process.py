"""The publisher's helper process (publishing/second_process.py), in real `bulletin` processes on a real data folder:
the test settings turn it off, since a second process cannot see the test database."""

import os
import subprocess
import sys

import pytest

from tests.servers import demo_copy

#: Publishes ``count`` stories in a real process with the inline publisher and prints, after each publish, the
#: helper's process id (None when there is none) and whether it is still used. KILL_WHEN picks when the helper is
#: killed: "between" the first and the second publish, "during" its first job (as the OOM killer might), or never.
PUBLISH = """
import os, signal
from django.db import transaction
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage
from bulletin.publishing import publisher, second_process
if KILL_WHEN == "during":
    start = second_process.RenderingHelper.start
    def start_and_kill(self, *args):
        start(self, *args)
        os.kill(self._process.pid, signal.SIGKILL)
    second_process.RenderingHelper.start = start_and_kill
feed_page, section, author = NewsFeedPage.objects.get(), Section.objects.first(), Author.objects.first()
for n in range(COUNT):
    story = StoryPage(title=f"Helper test story {n}", slug=f"PREFIX-{n}", summary="Published by the helper test.",
                      section=section, live=False)
    story.bylines = [Byline(author=author)]
    feed_page.add_child(instance=story)
    with transaction.atomic():
        story.save_revision().publish()
    process = publisher._helper._process
    print(process.pid if process else None, publisher._helper.usable, flush=True)
    if KILL_WHEN == "between" and n == 0:
        os.kill(process.pid, signal.SIGKILL)
        process.join()
"""


def bulletin(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *args], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("helper")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(BULLETIN_DATA_DIR=str(data_dir), BULLETIN_PUBLISHER="inline", PYTHONUNBUFFERED="1")
    demo_copy(tmp_path_factory, data_dir, "--stories", "30", "--quiet")
    return env, data_dir / "public"


def publish(env, prefix, count, kill=None):
    code = PUBLISH.replace("COUNT", str(count)).replace("PREFIX", prefix).replace("KILL_WHEN", repr(kill))
    done = bulletin(env, "manage", "shell", "--no-imports", "-c", code)
    assert done.returncode == 0, done.stderr[-3000:]
    return [line.split() for line in done.stdout.splitlines()], done.stderr


def test_the_helper_renders_the_feeds_while_the_publisher_renders_the_pages(site):
    env, public = site
    reports, _ = publish(env, "helped", 3)
    helper_pids = {pid for pid, _ in reports}
    assert len(helper_pids) == 1 and "None" not in helper_pids  # one helper, kept for every publish
    assert all(usable == "True" for _, usable in reports)
    for n in range(3):
        assert (public / f"helped-{n}/index.html").is_file()
        assert f"/helped-{n}/".encode() in (public / "feeds/rss.xml").read_bytes()  # written by the helper
    check = bulletin(env, "build", "--check", "--quiet")
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_helper_that_died_between_publishes_is_started_again(site):
    env, public = site
    reports, _ = publish(env, "restarted", 2, kill="between")
    assert reports[0][0] != reports[1][0] and reports[1][1] == "True"
    assert b"/restarted-1/" in (public / "feeds/rss.xml").read_bytes()


def test_when_the_helper_dies_during_a_publish_the_publisher_renders_its_entry(site):
    env, public = site
    reports, stderr = publish(env, "orphaned", 2, kill="during")
    assert [usable for _, usable in reports] == ["False", "False"]  # given up after the first failure
    assert "the publisher's helper failed; publishing without it" in stderr
    for n in range(2):
        assert f"/orphaned-{n}/".encode() in (public / "feeds/rss.xml").read_bytes()
    check = bulletin(env, "build", "--check", "--quiet")
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_helper_can_be_turned_off(site):
    env, public = site
    reports, _ = publish({**env, "BULLETIN_PUBLISHER_HELPER": "0"}, "unhelped", 1)
    assert reports == [["None", "True"]]
    assert b"/unhelped-0/" in (public / "feeds/rss.xml").read_bytes()
