"""Feeds and sitemaps as the publisher leaves them in public/: what readers and crawlers are actually served."""

import datetime
import json

import feedparser
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from bulletin.newsroom.models import Author, Section, Tag
from bulletin.publishing import build
from bulletin.syndication.feeds import story_id
from tests.factories import publish_story


def syndication_files(public):
    """Every feed and sitemap file in public/, by name, as text."""
    names = [
        p
        for p in public.rglob("*")
        if p.is_file()
        and p.name.endswith((".xml", ".json"))
        and not p.relative_to(public).as_posix().startswith("static/")
    ]
    return {p.relative_to(public).as_posix(): p.read_text() for p in names}


def test_a_published_story_reaches_its_feeds_and_sitemaps_and_leaves_them_when_unpublished(
    public, django_capture_on_commit_callbacks
):
    section, tag, author = Section.objects.get(slug="war"), Tag.objects.first(), Author.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        story = publish_story("Breaking: a story with a short life", section=section, authors=[author])
        story.tags.set([tag])
        story.save_revision().publish()
    location = f"http://127.0.0.1:8000{iri_to_uri(story.url)}"  # files are rendered for BULLETIN_BASE_URL
    month = f"sitemaps/stories-{timezone.localtime(story.first_published_at):%Y-%m}.xml"
    carrying = {name for name, text in syndication_files(public).items() if location in text}
    feeds = {
        f"{folder}{name}"
        for folder in ("feeds/", "sections/war/", f"tags/{tag.slug}/", f"authors/{author.slug}/")
        for name in ("rss.xml", "atom.xml", "feed.json")
    }
    assert carrying == feeds | {"sitemaps/news.xml", month}
    assert f"http://127.0.0.1:8000/{month}" in (public / "sitemap.xml").read_text()
    parsed = feedparser.parse((public / "feeds/atom.xml").read_bytes())
    assert not parsed.bozo and parsed.entries[0].id == story_id(story)

    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()
    remaining = syndication_files(public)
    assert not [name for name, text in remaining.items() if location in text or story_id(story) in text]
    assert month not in remaining, "its month had no other story: the file is gone"
    assert f"/{month}" not in (public / "sitemap.xml").read_text()
    assert build.check().ok


def test_stories_older_than_48_hours_leave_the_news_sitemap_file_without_a_publish(
    public, django_capture_on_commit_callbacks
):
    from bulletin.newsroom.models import StoryPage
    from bulletin.publishing.publisher import refresh_timed_files

    with django_capture_on_commit_callbacks(execute=True):
        story = publish_story("News for two days")
    news = public / "sitemaps/news.xml"
    assert story.title in news.read_text()
    assert refresh_timed_files() == 0, "nothing changed: nothing written"
    # The clock moves on: the story was first published 49 hours ago and nobody published since.
    StoryPage.objects.filter(pk=story.pk).update(first_published_at=timezone.now() - datetime.timedelta(hours=49))
    assert story.title in news.read_text()
    assert refresh_timed_files() == 1
    assert story.title not in news.read_text()
    # (Pages showing the rewritten date are stale: only the clock, not the story, was meant to change.)
    assert "sitemaps/news.xml" not in build.check().stale


def test_an_update_rewrites_the_items_with_a_new_date_and_the_same_id(public, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        story = publish_story("First version")
    first = json.loads((public / "feeds/feed.json").read_text())["items"][0]
    with django_capture_on_commit_callbacks(execute=True):
        story.title = "Second version"
        story.updated_at = story.first_published_at + datetime.timedelta(minutes=10)
        story.save_revision().publish()
    second = json.loads((public / "feeds/feed.json").read_text())["items"][0]
    assert second["id"] == first["id"] and second["title"] == "Second version"
    assert second["date_modified"] > first["date_modified"] and second["date_published"] == first["date_published"]
    news = (public / "sitemaps/news.xml").read_text()
    assert "Second version" in news and "First version" not in news
    assert build.check().ok
