"""The live News Feed in Chromium against the real server: publish, update and unpublish reach open pages.

Stories are published through the admin's quick post and unpublished with the admin's Unpublish button, from a
second browser signed in as an editor. These tests add stories to the shared server, so conftest runs them last
but one (before the scheduled-publishing test).
"""

import itertools
import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

_numbers = itertools.count(1)
LIVE_STREAM = re.compile(r"/live/(\?.*)?$")

EDITOR = """
from django.contrib.auth import get_user_model
from bulletin.newsroom import roles
user = get_user_model().objects.create_user("live-desk", password={password!r})
roles.assign_role(user, "Editors")
"""
UPDATE = """
from django.utils import timezone
from bulletin.newsroom.models import StoryPage
story = StoryPage.objects.get(title={old!r})
story.title, story.updated_at = {new!r}, timezone.now()
story.save_revision().publish()
"""
STORY_ID = "from bulletin.newsroom.models import StoryPage\nprint(StoryPage.objects.get(title={title!r}).pk)"


@pytest.fixture(scope="module")
def desk(browser, server):
    """A browser signed in to the admin as an editor."""
    password = secrets.token_urlsafe(12)
    created = server.manage("shell", "-c", EDITOR.format(password=password))
    assert created.returncode == 0, created.stderr
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/admin/login/")
    page.fill("#id_username", "live-desk")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    yield page
    context.close()


def quick_post(desk, headline):
    """Publish ``headline`` with quick post; returns once the server has answered the form (committed)."""
    desk.goto("/admin/quick-post/")
    desk.fill("#id_headline", headline)
    desk.fill("#id_summary", f"{headline}: what we know so far.")
    desk.fill("#id_text", f"{headline}. Reported live by the browser tests.\n\nMore to follow.")
    desk.select_option("#id_section", index=1)
    desk.select_option("#id_author", index=1)
    with desk.expect_response(lambda r: r.request.method == "POST") as answer:
        desk.click("main button[type=submit]")
    assert answer.value.status == 302, desk.locator("main").inner_text()[:2000]


def unpublish(desk, server, headline):
    run = server.manage("shell", "-c", STORY_ID.format(title=headline))
    story_id = run.stdout.strip().splitlines()[-1]
    desk.goto(f"/admin/pages/{story_id}/unpublish/")
    with desk.expect_response(lambda r: r.request.method == "POST") as answer:
        desk.get_by_role("button", name="Yes, unpublish it").click()
    assert answer.value.status == 302
    return story_id


def headline():
    return f"Live story {next(_numbers)} {secrets.token_hex(3)}"


def feed_items(page):
    return page.locator("main [data-feed-list] .feed-item")


def test_publish_update_and_unpublish_reach_the_news_feed_and_the_widget(server, new_page, desk, stories):
    feed = new_page()
    feed.goto("/")
    story = new_page()
    story.goto(stories["first"])
    widget_items = story.locator(".feed-widget [data-feed-list] .feed-item")
    expect(widget_items.first).to_be_visible()
    title = headline()

    quick_post(desk, title)
    # The acceptance bar: within 2 seconds of the publish, on both kinds of page.
    expect(feed_items(feed).first.locator(".feed-item__headline a")).to_have_text(title, timeout=2_000)
    expect(widget_items.first.locator("a")).to_have_text(title, timeout=2_000)
    expect(feed.locator("[data-announcer]")).to_have_text(f"New story: {title}")
    assert feed.evaluate("window.scrollY") == 0

    updated = title + " (updated)"
    run = server.manage("shell", "-c", UPDATE.format(old=title, new=updated))
    assert run.returncode == 0, run.stderr
    top = feed_items(feed).first
    expect(top.locator(".feed-item__headline a")).to_have_text(updated, timeout=2_000)
    expect(top.locator(".feed-item__updated")).to_contain_text("Updated")
    expect(widget_items.first.locator("a")).to_have_text(updated, timeout=2_000)

    story_id = unpublish(desk, server, updated)
    expect(feed.locator(f'[data-story="{story_id}"]')).to_have_count(0, timeout=2_000)
    expect(story.locator(f'[data-story="{story_id}"]')).to_have_count(0, timeout=2_000)
    assert feed.problems == [] and story.problems == []


def test_a_reader_further_down_gets_a_button_and_is_not_moved(new_page, desk):
    reader = new_page(viewport={"width": 390, "height": 500})
    reader.goto("/")
    base_title = reader.title()
    reader.evaluate("window.scrollTo({top: 900, behavior: 'instant'})")  # the stylesheet makes scrolls smooth
    scrolled = reader.evaluate("window.scrollY")
    assert scrolled > 0
    first_before = feed_items(reader).first.get_attribute("data-story")
    in_view = reader.locator("main [data-feed-list] .feed-item").nth(4)
    in_view_top = in_view.bounding_box()["y"]
    title = headline()

    quick_post(desk, title)
    button = reader.locator(".live-button")
    expect(button).to_have_text("1 new story", timeout=2_000)
    expect(reader).to_have_title(f"(1) {base_title}")
    assert reader.evaluate("window.scrollY") == scrolled, "the reader was scrolled"
    assert in_view.bounding_box()["y"] == in_view_top, "what the reader was reading moved"
    assert feed_items(reader).first.get_attribute("data-story") == first_before, "inserted above the reader"

    button.click()
    expect(feed_items(reader).first.locator(".feed-item__headline a")).to_have_text(title)
    expect(reader).to_have_title(base_title)
    expect(button).to_be_hidden()
    expect(feed_items(reader).first.locator("a").first).to_be_focused()


def test_with_the_stream_blocked_the_page_polls_and_still_updates(new_page, desk):
    reader = new_page()
    blocked = True

    def stream(route):
        # Unblocking flips this flag rather than unrouting: an unroute while a blocked request is in flight raced
        # the context's own handler for it in Playwright ("Route is already handled").
        if blocked:
            route.abort("blockedbyclient")
        else:
            route.fallback()

    reader.route(LIVE_STREAM, stream)
    polls = []
    reader.on("request", lambda request: "/live/latest.json" in request.url and polls.append(request.url))
    reader.goto("/")
    title = headline()

    quick_post(desk, title)
    # Polling runs every 3 s, and latest.json may be cached for 2 s: allow for both, twice over.
    expect(feed_items(reader).first.locator(".feed-item__headline a")).to_have_text(title, timeout=10_000)
    assert polls, "the page did not poll /live/latest.json"

    # Once the stream is reachable again the page goes back to it and stops polling.
    blocked = False
    reader.wait_for_timeout(4_000)  # the browser retries the stream after 3 s (retry: 3000)
    polls.clear()
    reader.wait_for_timeout(4_000)
    assert polls == [], "still polling with the stream open"


def test_new_items_do_not_animate_for_readers_who_prefer_reduced_motion(new_page, desk):
    reader = new_page(reduced_motion="reduce")
    reader.goto("/")
    title = headline()
    quick_post(desk, title)
    top = feed_items(reader).first
    expect(top.locator(".feed-item__headline a")).to_have_text(title, timeout=2_000)
    assert "feed-item--new" in top.get_attribute("class")
    assert top.evaluate("item => getComputedStyle(item).animationName") == "none"
