"""The News Feed's order, its stable pagination, and the index behind its queries."""

from django.db import connection

from bulletin.newsroom import listings
from bulletin.newsroom.models import NewsFeedPage, Section, StoryPage
from bulletin.search import index
from tests.conftest import DEMO_STORIES
from tests.factories import publish_story


def ids(stories):
    return [story.pk for story in stories]


def test_latest_is_newest_first_by_first_publication(db):
    stories = listings.latest(DEMO_STORIES)
    assert len(stories) == DEMO_STORIES
    positions = [story.feed_position for story in stories]
    assert positions == sorted(positions, reverse=True)
    times = [story.first_published_at for story in stories]
    assert times == sorted(times, reverse=True)


def test_archive_pages_partition_the_feed_without_gaps_or_duplicates(db):
    pages = [listings.archive_page(n) for n in range(listings.newest_page_number(), 0, -1)]
    assert all(len(page) <= listings.FEED_PAGE_SIZE for page in pages)
    assert ids(story for page in pages for story in page) == ids(listings.latest(DEMO_STORIES))


def test_publishing_a_story_puts_it_first_and_leaves_old_pages_alone(db):
    before = {n: ids(listings.archive_page(n)) for n in range(1, listings.newest_page_number() + 1)}
    new = [publish_story() for _ in range(12)]
    assert ids(listings.latest(1)) == [new[-1].pk]
    # Pages that were full before keep exactly the stories they had.
    for number, story_ids in before.items():
        if len(story_ids) == listings.FEED_PAGE_SIZE:
            assert ids(listings.archive_page(number)) == story_ids


def test_fifty_new_stories_leave_an_old_page_url_unchanged(client, db):
    html_before = client.get("/page/2/").content
    for _ in range(50):
        publish_story()
    assert client.get("/page/2/").content == html_before


def test_republishing_keeps_the_feed_position(db):
    story = listings.latest(1)[0].specific
    story.title = "Edited headline"
    story.save_revision().publish()
    story.refresh_from_db()
    assert listings.latest(1)[0].pk == story.pk and story.title == "Edited headline"


def test_republishing_an_object_loaded_before_the_first_publish_keeps_the_feed_position(db):
    """The position belongs to the live row: a revision made from an object that never saw it (as the demo's live
    blogs were published twice) once placed the story again at the top, and SQLite's search index, keyed by the
    position, then held the story twice."""
    story = StoryPage(title="Quokka census begins", slug="quokka-census", summary="Counted.", live=False)
    story.section = Section.objects.first()
    NewsFeedPage.objects.get().add_child(instance=story)
    story.save_revision().publish()
    position = StoryPage.objects.get(pk=story.pk).feed_position
    newer = publish_story("Published in between")
    story.summary = "Counted again."
    story.save_revision().publish()
    assert StoryPage.objects.get(pk=story.pk).feed_position == position < newer.feed_position
    assert index.search("quokka").story_ids == [story.pk]


def test_a_copy_of_a_published_story_is_placed_when_it_is_published(db):
    """Wagtail's Copy action copies every field; the original's position in the copy broke the unique index."""
    original = listings.latest(DEMO_STORIES)[5].specific
    copy = original.copy(update_attrs={"slug": "a-copy", "title": "A copy"}, keep_live=False)
    assert copy.feed_position is None and not copy.live
    copy.save_revision().publish()
    copy.refresh_from_db()
    assert listings.latest(1)[0].pk == copy.pk and copy.feed_position > original.feed_position


def test_unpublished_story_leaves_the_feed_and_its_page(db):
    story = listings.archive_page(2)[3]
    StoryPage.objects.get(pk=story.pk).unpublish()
    assert story.pk not in ids(listings.latest(DEMO_STORIES))
    assert story.pk not in ids(listings.archive_page(2))
    assert len(listings.archive_page(2)) == listings.FEED_PAGE_SIZE - 1


def test_older_page_number_skips_to_the_next_older_story(db):
    latest = listings.latest()
    next_older = listings.latest(listings.FEED_PAGE_SIZE + 1)[-1]
    assert listings.older_page_number(latest) == listings.page_number_of(next_older.feed_position)
    assert listings.older_page_number(listings.archive_page(1)) is None


def _plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test archive is tiny, so the planner would rightly prefer a sequential scan and a sort. With
            # sorting priced out, a plan without a Sort node proves an index can deliver the feed order.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1] if connection.vendor != "postgresql" else row[0]) for row in cursor.fetchall())


def test_feed_queries_walk_an_index_instead_of_sorting(db):
    """A plain Wagtail query for the feed page's children, newest first, sorted every row on each request in a
    20k-page trial; the feed must read its rows in index order at any depth of the archive."""
    section = listings.latest(1)[0].section
    queries = {
        "head": listings.feed_stories()[:10],
        "archive page": listings.feed_stories().filter(feed_position__gt=20, feed_position__lte=30),
        "section": listings.feed_stories().filter(section=section)[:20],
    }
    for name, queryset in queries.items():
        plan = _plan(queryset)
        if connection.vendor == "postgresql":
            assert " Sort " not in f" {plan} " and "Sort Key" not in plan, f"{name} sorts:\n{plan}"
        else:
            assert "TEMP B-TREE FOR ORDER BY" not in plan, f"{name} sorts:\n{plan}"
            assert "USING INDEX" in plan or "USING INTEGER PRIMARY KEY" in plan, f"{name} scans:\n{plan}"
