"""kill -9 while stories are published and unpublished: after a restart, search agrees with what is published
(the index is written in the publishing transaction; docs/search.md "Always current")."""

import json
import os
import random
import signal
import subprocess
import sys

import pytest

from tests.publishing.test_crash import bulletin, kill_after
from tests.servers import demo_copy

# Publishes a story per round and unpublishes every third one, each in one transaction, as the admin's writes
# (newsdesk's AtomicAdminWritesMiddleware) and the scheduler do.
PUBLISH_LOOP = """
import itertools
from django.db import transaction
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage
feed_page, section, author = NewsFeedPage.objects.get(), Section.objects.first(), Author.objects.first()
for n in itertools.count():
    story = StoryPage(title=f"Wombat sighting {n}", slug=f"wombat-ROUND-{n}", summary="Published in a loop.",
                      section=section, live=False)
    story.bylines = [Byline(author=author)]
    feed_page.add_child(instance=story)
    with transaction.atomic():
        story.save_revision().publish()
    if n % 3 == 2:
        with transaction.atomic():
            StoryPage.objects.get(pk=story.pk).unpublish()
    print(n, flush=True)
"""

# What the index holds for "wombat" (index.search does not check it against the pages) against what is live.
CHECK = """
import json
from bulletin.newsroom.models import StoryPage
from bulletin.search import index
live = sorted(StoryPage.objects.live().filter(title__startswith="Wombat").values_list("pk", flat=True))
found = sorted(index.search("wombat", limit=1000).story_ids)
print(json.dumps({"live": live, "found": found}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("search-crash")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(BULLETIN_DATA_DIR=str(data_dir), BULLETIN_PUBLISHER="inline", PYTHONUNBUFFERED="1")
    demo_copy(tmp_path_factory, data_dir, "--stories", "5", "--quiet")
    return env


@pytest.mark.parametrize("round_", range(2))
def test_kill_during_publishing_then_search_agrees_with_what_is_published(site, round_):
    env = site
    loop = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "manage", "shell", "--no-imports", "-c"]
        + [PUBLISH_LOOP.replace("ROUND", str(round_))],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    for _ in range(3):  # a few stories published (and one unpublished) before the kill
        assert loop.stdout.readline(), loop.stderr.read()[-2000:]
    kill_after(loop, random.Random(round_).uniform(0.0, 1.0))
    assert loop.returncode == -signal.SIGKILL

    check = bulletin(env, "manage", "shell", "--no-imports", "-c", CHECK)  # the restart: a new process
    assert check.returncode == 0, check.stderr
    state = json.loads(check.stdout.strip().splitlines()[-1])
    assert len(state["live"]) >= 2 * (round_ + 1)  # this round's stories and the earlier rounds'
    assert state["found"] == state["live"]
