"""Scheduled publishing without cron: the server's embedded scheduler makes a scheduled story live by itself.

This test adds a story to the shared server's News Feed, so conftest runs it last."""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SLUG = "e2e-scheduled-story"
HEADLINE = "E2E scheduled story goes live on its own"

SCHEDULE = f"""
from datetime import timedelta
from django.utils import timezone
from bulletin.newsroom.models import NewsFeedPage, Section, StoryPage
feed = NewsFeedPage.objects.get()
story = StoryPage(title={HEADLINE!r}, slug={SLUG!r}, live=False,
                  summary="A story scheduled by the browser tests.", section=Section.objects.order_by("pk").first())
feed.add_child(instance=story)
# Wagtail 8 schedules from the page's own go_live_at (as the admin's "Go-live date" sets it): publishing a revision
# whose page has go_live_at in the future stores it as approved_go_live_at and leaves the page not live.
story.go_live_at = timezone.now() + timedelta(seconds=3)
revision = story.save_revision()
revision.publish()
story.refresh_from_db()
print("LIVE" if story.live else "SCHEDULED", story.url_path)
"""


def test_scheduled_story_goes_live_through_the_running_server(server, page):
    run = server.manage("shell", "-c", SCHEDULE)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert "SCHEDULED" in run.stdout, f"Wagtail published it at once instead of scheduling it:\n{run.stdout}"
    path = f"/{SLUG}/"
    assert server.get(path)[0] == 404, "the scheduled story is visible before its time"

    started = time.monotonic()
    while server.get(path)[0] != 200:
        assert time.monotonic() - started < 20, f"not live 20 s after scheduling:\n{server.output()[-3000:]}"
        time.sleep(0.25)

    # The story's own URL answers as soon as it is live (the app renders it until its file is written); the
    # publisher then rewrites the News Feed's files, which take a moment longer, and the server may show one of
    # them a moment before the other (it reads a file it has not kept from disk as soon as it is written).
    def top_of_feed():
        feed = server.html("/")
        return feed, re.search(r'<li class="feed-item" data-position="(\d+)"[^>]*>.*?<a href="([^"]+)"', feed, re.S)

    feed, first = top_of_feed()
    while first.group(2) != path:
        assert time.monotonic() - started < 20, "the published story is not at the top of the News Feed"
        time.sleep(0.25)
        feed, first = top_of_feed()
    positions = [int(p) for p in re.findall(r'data-position="(\d+)"', feed)]
    assert int(first.group(1)) == max(positions)
    while re.search(r'<a href="([^"]+)"', server.html("/feed/widget/")).group(1) != path:
        assert time.monotonic() - started < 20, "the widget still shows the old feed"
        time.sleep(0.25)

    page.goto("/")
    top = page.locator("[data-feed-list] .feed-item").first
    expect(top.locator(".feed-item__headline a")).to_have_text(HEADLINE)
