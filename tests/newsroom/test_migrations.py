"""Data migrations, run by the real `bulletin manage migrate` on a demo newsroom's SQLite database: the database is
taken back to the migration before, then forward again, as an existing site upgrades."""

import json

from tests.servers import bulletin, demo_copy, manage_code, server_env

LIVE_COUNTS = """
import json
from django.db.models import Count
from bulletin.newsroom.models import ListingEntry
live = ListingEntry.objects.filter(story__live=True)
print(json.dumps(sorted(live.values_list("kind", "collection_id").annotate(n=Count("id")).order_by())))
"""
STORED = """
import json
from bulletin.newsroom.models import ListingCount, ListingEntry
counts = sorted(ListingCount.objects.values_list("kind", "collection_id", "live_stories"))
wrong = [e.pk for e in ListingEntry.objects.select_related("story") if e.counted != e.story.live]
print(json.dumps({"counts": [c for c in counts if c[2]], "wrongly_counted": wrong}))
"""
UNPUBLISH_ONE = """
from bulletin.newsroom.models import StoryPage
StoryPage.objects.live().order_by("feed_position").first().unpublish()
"""


def test_listing_counts_are_counted_once_when_an_existing_site_upgrades(tmp_path_factory, tmp_path):
    """newsroom 0006 adds ListingCount and ListingEntry.counted, and counts the live stories already there: an
    unpublished story keeps its entries but is not counted."""
    env = server_env(tmp_path)
    demo_copy(tmp_path_factory, tmp_path, "--stories", "5", "--quiet")
    manage_code(env, UNPUBLISH_ONE)
    expected = json.loads(manage_code(env, LIVE_COUNTS).splitlines()[-1])  # [kind, collection id, stories]
    assert expected and len(expected) > 5  # sections, tags and authors of the demo's stories

    bulletin(env, "manage", "migrate", "newsroom", "0005", "--verbosity", "0")
    bulletin(env, "manage", "migrate", "--verbosity", "0")

    stored = json.loads(manage_code(env, STORED).splitlines()[-1])
    assert stored == {"counts": expected, "wrongly_counted": []}
