"""The embedded scheduler publishes stories whose approved go-live time has passed, and only those."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import Revision

from bulletin.newsdesk.scheduler import publish_due_pages
from bulletin.newsroom import listings
from bulletin.newsroom.models import Author, Byline, Section, StoryPage

pytestmark = pytest.mark.django_db


def scheduled_story(feed_page, slug, go_live_at):
    """A never-published story whose latest revision is approved to go live at ``go_live_at``
    (what the admin does when an editor publishes a story with a future go-live time)."""
    story = StoryPage(
        title=f"Scheduled {slug}", slug=slug, summary="Later.", section=Section.objects.first(), live=False
    )
    story.bylines = [Byline(author=Author.objects.first())]
    feed_page.add_child(instance=story)
    story.go_live_at = go_live_at
    revision = story.save_revision(approved_go_live_at=go_live_at)
    revision.publish()
    story.refresh_from_db()
    return story, revision


def make_due(revision, when):
    """Move a scheduled revision's go-live time to ``when`` (in the past), as if the clock had moved on:
    both the approval on the revision and the go_live_at stored in its content, which publish() reads."""
    revision = Revision.objects.get(pk=revision.pk)
    content = dict(revision.content, go_live_at=when.isoformat())
    Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=when, content=content)


def test_due_story_is_published_with_a_feed_position(feed_page):
    now = timezone.now()
    story, revision = scheduled_story(feed_page, "due-story", now + datetime.timedelta(hours=1))
    assert not story.live, "a future go-live time must not publish at once"
    assert story.feed_position is None, "a scheduled (not live) story was given a feed position"
    revision.refresh_from_db()
    assert revision.approved_go_live_at is not None

    publish_due_pages()
    story.refresh_from_db()
    assert not story.live, "the scheduler published a story before its time"

    make_due(revision, now - datetime.timedelta(minutes=1))
    report = publish_due_pages()
    story.refresh_from_db()
    assert story.live, report
    assert story.feed_position is not None
    assert listings.latest()[0].pk == story.pk
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is None


def test_future_story_stays_unpublished(feed_page):
    story, _ = scheduled_story(feed_page, "future-story", timezone.now() + datetime.timedelta(days=1))
    publish_due_pages()
    story.refresh_from_db()
    assert not story.live
    assert story.feed_position is None, "a scheduled (not live) story was given a feed position"
    assert story.pk not in [s.pk for s in listings.latest()]


def test_republished_story_keeps_its_feed_position(feed_page):
    now = timezone.now()
    story, revision = scheduled_story(feed_page, "keeps-position", now + datetime.timedelta(hours=1))
    make_due(revision, now - datetime.timedelta(minutes=1))
    publish_due_pages()
    story.refresh_from_db()
    position = story.feed_position
    assert position is not None

    story.summary = "Edited after publishing."
    story.save_revision().publish()
    story.refresh_from_db()
    assert story.feed_position == position


def test_scheduler_with_nothing_due_reports_and_changes_nothing(feed_page):
    live_before = StoryPage.objects.live().count()
    report = publish_due_pages()
    assert isinstance(report, str)
    assert StoryPage.objects.live().count() == live_before


def test_scheduled_story_goes_to_the_top_when_it_goes_live(feed_page, client_for):
    """A story scheduled earlier but going live later than another story must appear above it: the feed is
    ordered by when stories went live, and an older archive page must never gain a story."""
    now = timezone.now()
    scheduled, revision = scheduled_story(feed_page, "scheduled-first", now + datetime.timedelta(hours=1))

    meanwhile = StoryPage(
        title="Published meanwhile",
        slug="published-meanwhile",
        summary="Now.",
        section=Section.objects.first(),
        live=False,
    )
    meanwhile.bylines = [Byline(author=Author.objects.first())]
    feed_page.add_child(instance=meanwhile)
    meanwhile.save_revision().publish()
    meanwhile.refresh_from_db()
    assert listings.latest()[0].pk == meanwhile.pk

    make_due(revision, now - datetime.timedelta(minutes=1))
    report = publish_due_pages()
    scheduled.refresh_from_db()
    assert scheduled.live, report
    assert scheduled.feed_position > meanwhile.feed_position
    assert [s.pk for s in listings.latest(2)] == [scheduled.pk, meanwhile.pk]
