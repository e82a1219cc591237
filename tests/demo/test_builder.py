"""The demo newsroom: a consistent Wagtail tree, every part the issue lists, the same newsroom for the same seed."""

import re

from django.utils import timezone
from wagtail.models import Page

from bulletin.newsroom.models import Author, Correction, NewsFeedPage, Section, StoryPage, Tag
from tests.conftest import DEMO_STORIES


def test_treebeard_numbers_children_as_the_builder_computes_their_paths(db):
    """The builder calls treebeard's private Page._get_path: under a page none of whose children was deleted (the
    News Feed of a new demo), child number n + 1 gets the path add_child() gives it."""
    feed_page = NewsFeedPage.objects.get()
    expected = Page._get_path(feed_page.path, feed_page.depth + 1, feed_page.numchild + 1)
    assert feed_page.add_child(instance=Page(title="Pinned path", slug="pinned-path")).path == expected
    assert Page._get_path("0001", 2, 36) == "00010010"  # base 36, four characters a step


def test_bulk_written_tree_is_what_treebeard_expects(db):
    # find_problems lists bad alphabet, bad paths, orphans, wrong depth and wrong numchild.
    assert Page.find_problems() == ([], [], [], [], [])


def test_feed_positions_follow_publication_time(db):
    stories = list(StoryPage.objects.order_by("feed_position"))
    assert [s.feed_position for s in stories] == list(range(1, DEMO_STORIES + 1))
    assert [s.first_published_at for s in stories] == sorted(s.first_published_at for s in stories)


def test_demo_has_the_parts_of_a_newsroom(db):
    assert Section.objects.count() == 8 and Tag.objects.count() == 30
    authors = Author.objects.all()
    assert authors.count() == 12 and all(a.avatar and a.job_title and a.bio for a in authors)
    stories = StoryPage.objects.live()
    assert stories.count() == DEMO_STORIES
    for story in stories:
        assert story.bylines.exists() and 1 <= story.tags.count() <= 3 and story.sources.exists()
        assert story.reading_minutes >= 1
    assert stories.filter(updated_at__isnull=False).exists()
    assert Correction.objects.exists()
    assert any(b.block_type == "link_card" for s in stories for b in s.body)
    image = stories.exclude(feature_image=None).first().feature_image
    assert image.width == 1600 and image.height == 900 and image.file.storage.exists(image.file.name)


def test_stories_built_in_bulk_can_be_edited_and_republished(db):
    story = StoryPage.objects.live().first()
    story.title = "Edited in the admin"
    story.save_revision().publish()
    story.refresh_from_db()
    assert story.title == "Edited in the admin" and story.live_revision is not None
    assert Page.find_problems() == ([], [], [], [], [])


def test_every_demo_story_has_a_first_revision_and_history(db):
    """Issue 14: the admin shows a demo story like one published there: its revision holds what the page shows
    (bylines and tags included), and its History has the publish."""
    from wagtail.models import PageLogEntry

    for story in StoryPage.objects.live().order_by("pk")[:20]:
        revision = story.live_revision
        assert revision is not None and story.latest_revision_id == revision.pk
        as_published = revision.as_object()
        assert as_published.title == story.title and as_published.summary == story.summary
        assert [b.author_id for b in as_published.bylines.all()] == [b.author_id for b in story.bylines.all()]
        assert {t.pk for t in as_published.tags.all()} == {t.pk for t in story.tags.all()}
        assert PageLogEntry.objects.filter(page=story, action="wagtail.publish", revision=revision).exists()


def test_the_demo_editor_has_an_author_profile_and_recent_edits(db):
    """The dashboard's "Your most recent edits" lists the demo editor's newest stories; quick post has a byline."""
    from django.contrib.auth import get_user_model
    from wagtail.models import PageLogEntry

    from bulletin.demo import builder

    username, _ = builder.reset_demo_editor()
    editor = get_user_model().objects.get(username=username)
    assert Author.objects.get(user=editor)
    edited = PageLogEntry.objects.filter(user=editor, action="wagtail.edit").values_list("page_id", flat=True)
    newest = StoryPage.objects.order_by("-feed_position").values_list("pk", flat=True)[: builder.EDITOR_RECENT_STORIES]
    assert set(edited) == set(newest)


def test_demo_summaries_tell_their_headlines_story(db):
    """The summary names the headline's actor, event and place; every section has stories of its own kind."""
    from bulletin.demo import text

    for story in StoryPage.objects.live().select_related("section"):
        actor, event_and_place = re.match(r"^(.+?) (?:reports|confirms|announces) (.+)$", story.title).groups()
        assert story.summary.startswith(actor) and event_and_place in story.summary, (story.title, story.summary)
        assert any(event in story.title for event in text.BEATS[story.section.name][1])
    assert StoryPage.objects.values("section").distinct().count() >= 5


def test_each_demo_day_has_a_mix_of_sections(db):
    """A day of news is not one beat: each day with a few stories spreads them over several sections, none most."""
    days = {}
    for published, section in StoryPage.objects.live().values_list("first_published_at", "section__name"):
        days.setdefault(timezone.localdate(published), []).append(section)
    busy = {day: sections for day, sections in days.items() if len(sections) >= 8}
    assert busy, days
    for day, sections in busy.items():
        most = max(sections.count(name) for name in sections)
        assert len(set(sections)) >= 3 and most <= 0.6 * len(sections), (day, sections)


def test_demo_stories_are_in_the_search_index(db):
    """Admin search, the link-card chooser and the site's search all find the demo's stories."""
    from bulletin.search import index

    for story in StoryPage.objects.live().order_by("pk")[:5]:
        assert story.pk in index.search(story.title, limit=100).story_ids, story.title
