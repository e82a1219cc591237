"""/sections/ and /authors/ list every section and author with its number of stories; the footer links to them and
to the site's feeds, and section, tag and author pages show their own "Follow" links."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bulletin.newsroom import listings
from bulletin.newsroom.collection_kinds import AUTHORS, KINDS, SECTIONS, TAGS
from bulletin.newsroom.models import Author, Byline, ListingCount, ListingEntry, Section, StoryPage, Tag
from bulletin.publishing import plan
from tests.factories import publish_story
from tests.publishing.test_publisher import changed_pages, snapshot


def get_soup(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "html5lib")


def live_count(**lookup):
    return StoryPage.objects.live().filter(**lookup).distinct().count()


def test_sections_index_lists_every_section_with_its_story_count(client, db):
    items = get_soup(client, "/sections/").select(".collection-index__item")
    sections = list(Section.objects.order_by("name"))
    assert [item.h2.a["href"] for item in items] == [section.get_absolute_url() for section in sections]
    for item, section in zip(items, sections, strict=True):
        count = live_count(section=section)
        assert item.select_one(".collection-index__count").get_text() == f"{count} stor{'y' if count == 1 else 'ies'}"
    assert any(live_count(section=section) for section in sections)


def test_authors_index_shows_photo_job_title_and_story_count(client, db):
    items = get_soup(client, "/authors/").select(".collection-index__item")
    authors = list(Author.objects.order_by("name"))
    assert [item.h2.get_text(strip=True) for item in items] == [author.name for author in authors]
    for item, author in zip(items, authors, strict=True):
        assert item.h2.a["href"] == author.get_absolute_url()
        photo = item.select_one("img.collection-index__photo")
        assert (photo is not None) == bool(author.avatar_id)
        if photo:
            assert photo["alt"] == "" and photo["width"] == "96" and photo["height"] == "96"  # no layout shift
        if author.job_title:
            assert item.select_one(".collection-index__about").get_text() == author.job_title
        count = live_count(bylines__author=author)
        assert item.select_one(".collection-index__count").get_text().startswith(f"{count} stor")
    assert any(author.avatar_id for author in authors) and any(author.job_title for author in authors)


def test_tags_have_no_index(client, db):
    assert client.get("/tags/").status_code == 404


def test_an_unpublished_story_leaves_the_counts(client, db):
    story = StoryPage.objects.live().filter(section__isnull=False).first()
    before = live_count(section=story.section)
    story.unpublish()
    item = next(
        i
        for i in get_soup(client, "/sections/").select(".collection-index__item")
        if i.h2.a["href"] == story.section.get_absolute_url()
    )
    assert item.select_one(".collection-index__count").get_text().startswith(f"{before - 1} stor")


def test_the_footer_links_to_the_indexes_and_the_site_feeds(client, db):
    footer = get_soup(client, "/").select_one("footer")
    links = {a["href"] for a in footer.select("a")}
    assert {"/sections/", "/authors/", "/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json"} <= links
    for href in ("/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json"):
        assert client.get(href).status_code == 200


@pytest.mark.parametrize("kind", [SECTIONS, TAGS, AUTHORS], ids=lambda kind: kind.name)
def test_collection_pages_show_their_own_follow_links(client, db, kind):
    collection = kind.model.objects.first()
    follow = get_soup(client, kind.url(collection)).select_one("main .follow")
    assert follow.h2.get_text() == f"Follow {collection.name}"
    feeds = {a["type"]: a["href"] for a in follow.select("a")}
    assert feeds == {
        "application/rss+xml": kind.feed_url(collection, "rss"),
        "application/atom+xml": kind.feed_url(collection, "atom"),
        "application/feed+json": kind.feed_url(collection, "json"),
    }
    for href in feeds.values():
        assert client.get(href).status_code == 200


def test_a_first_publish_rerenders_the_indexes_of_its_section_and_authors(public, django_capture_on_commit_callbacks):
    section = Section.objects.get(slug="politics")
    before = snapshot(public)
    with django_capture_on_commit_callbacks(execute=True):
        story = publish_story("An index-counting story", section=section)
    changed = changed_pages(before, snapshot(public))
    assert {"sections/index.html", "authors/index.html"} <= changed
    count = live_count(section=section)
    assert f"{count} stories".encode() in (public / "sections/index.html").read_bytes()

    # An edit that keeps the section and bylines changes no count: the indexes are not rendered again.
    state = plan.PublishedState.of(story)
    edit = plan.for_story(story, before=state)
    assert not {"/sections/", "/authors/"} & set(edit.now + edit.next + edit.later)
    removal = plan.for_removed_story(story, story.url)
    assert {"/sections/", "/authors/"} <= set(removal.next)


def test_editing_an_author_or_a_section_rerenders_its_index_first(db):
    assert "/authors/" in plan.for_collection(AUTHORS, Author.objects.first()).now
    assert "/sections/" in plan.for_section(Section.objects.first()).now
    assert not {"/sections/", "/authors/"} & set(plan.for_collection(TAGS, Tag.objects.first()).now)


def test_build_writes_both_indexes(public):
    for name in ("sections/index.html", "authors/index.html", "live/banner.json"):
        assert (public / name).is_file(), name


def test_the_indexes_are_cached_as_head_pages_and_the_banner_as_a_live_file():
    from bulletin.web import caching

    assert caching.cache_control_for("/sections/") == caching.cache_control_for("/authors/") == caching.HEAD_PAGES
    assert caching.cache_control_for("/live/banner.json") == caching.LIVE_POLL


def counted_from_the_lists():
    """Every kind's story counts as the grouped query over every list entry computes them (what the index pages
    did before ListingCount): the truth the kept counts must equal."""
    entries = ListingEntry.objects.filter(story__live=True)
    counts = entries.values_list("kind", "collection_id").annotate(n=Count("id")).order_by()
    return {(kind, pk): n for kind, pk, n in counts}


def kept_counts():
    return {(kind.name, pk): n for kind in KINDS for pk, n in listings.story_counts(kind).items() if n}


def test_the_kept_counts_follow_publishes_moves_unpublishes_and_deletions(db):
    assert kept_counts() == counted_from_the_lists() != {}  # the demo's bulk load counted its stories
    politics, war = Section.objects.get(slug="politics"), Section.objects.get(slug="war")
    first, second = Author.objects.order_by("pk")[:2]
    story = publish_story("A story that moves", section=politics, authors=[first])
    assert kept_counts() == counted_from_the_lists()

    story.section, story.bylines = war, [Byline(author=second)]  # another section and byline, republished
    story.save_revision().publish()
    assert kept_counts() == counted_from_the_lists()
    story.save_revision().publish()  # a republish that changes no list counts nothing twice
    assert kept_counts() == counted_from_the_lists()

    story.unpublish()
    assert kept_counts() == counted_from_the_lists()
    story.save_revision().publish()
    assert kept_counts() == counted_from_the_lists()

    StoryPage.objects.get(pk=story.pk).delete()  # deleted while live: its entries go, and its counts with them
    assert kept_counts() == counted_from_the_lists()
    draft_then_deleted = publish_story("Unpublished, then deleted", section=war)
    draft_then_deleted.unpublish()
    StoryPage.objects.get(pk=draft_then_deleted.pk).delete()
    assert kept_counts() == counted_from_the_lists()


def test_an_index_page_reads_one_row_per_collection_whatever_the_archive(db):
    """The counts' query touches ListingCount alone: no join to the stories, no scan of the lists."""
    with CaptureQueriesContext(connection) as captured:
        listings.story_counts(SECTIONS)
    (query,) = captured.captured_queries
    assert ListingCount._meta.db_table in query["sql"]
    assert ListingEntry._meta.db_table not in query["sql"] and "wagtailcore_page" not in query["sql"]
