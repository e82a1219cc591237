"""The demo newsroom: a consistent Wagtail tree, every part the issue lists, the same newsroom for the same seed."""

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
