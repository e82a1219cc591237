"""The News Feed in a real browser: "Show More" appends older stories in place, or is a plain link without JS."""

import itertools
import re

import pytest
from playwright.sync_api import expect

from .conftest import feed_positions

pytestmark = pytest.mark.e2e


def _shown(page):
    return page.eval_on_selector_all(
        "[data-feed-list] .feed-item",
        "items => items.map(li => [+li.dataset.position, li.querySelector('a').getAttribute('href')])",
    )


def test_show_more_twice_shows_the_first_30_stories_in_order(page, server):
    page.goto("/")
    items = page.locator("[data-feed-list] .feed-item")
    assert items.count() == 10
    more = page.locator("[data-show-more]")
    for expected in (20, 30):
        more.click()
        expect(items).to_have_count(expected)
        expect(page.locator("[data-show-more][aria-busy=true]")).to_have_count(0)

    shown = _shown(page)
    positions = [position for position, _ in shown]
    assert len(set(positions)) == 30, f"duplicates in {positions}"
    assert len({href for _, href in shown}) == 30
    assert all(a > b for a, b in itertools.pairwise(positions)), f"not strictly decreasing: {positions}"
    assert [tuple(item) for item in shown] == feed_positions(server, 30)
    # Still more to come (60 stories), and the page stayed put: no navigation happened.
    assert re.fullmatch(r"/page/\d+/", more.get_attribute("href"))
    assert page.url == f"{server.url}/#until-{positions[-1]}", "the URL names the oldest story shown"
    assert "10 more stories loaded" in page.locator("[data-announcer]").text_content()
    assert page.problems == []


def test_show_more_without_javascript_is_a_link_to_older_stories(new_page, server):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    first = _shown(page)
    oldest_shown = min(position for position, _ in first)
    more = page.locator("[data-show-more]")
    href = more.get_attribute("href")
    assert re.fullmatch(r"/page/\d+/", href), href
    assert more.get_attribute("role") is None  # JS would make it a button; without JS it is a link
    more.click()
    page.wait_for_url(f"**{href}")
    older = _shown(page)
    assert older, "the archive page lists no stories"
    positions = [position for position, _ in older]
    assert all(a > b for a, b in itertools.pairwise(positions))
    # It holds the very next older story (no gap), and older ones.
    assert oldest_shown - 1 in positions
    assert min(positions) < oldest_shown
    # An archive page links on to older stories the same way, and back to the latest news.
    assert re.fullmatch(r"/page/\d+/", page.locator("[data-show-more]").get_attribute("href"))
    assert page.locator("main a[href='/']").count() >= 1


def test_show_more_until_the_end_shows_every_story_once(page, server):
    page.goto("/")
    items = page.locator("[data-feed-list] .feed-item")
    more = page.locator("[data-show-more]")
    clicks = 0
    while more.count():
        count = items.count()
        more.click()
        expect(page.locator("[data-show-more][aria-busy=true]")).to_have_count(0)
        assert items.count() > count or not more.count()
        clicks += 1
        assert clicks <= 10, "Show More never ends"
    positions = [position for position, _ in _shown(page)]
    everything = feed_positions(server, 10_000)
    assert positions == [position for position, _ in everything], "gaps or duplicates after the last Show More"
    assert "more stories loaded" in page.locator("[data-announcer]").text_content()
    assert page.problems == []


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_show_more_works_from_the_keyboard(page, key):
    """It is announced as a button, so Space must press it as well as Enter; focus then moves to the new stories."""
    page.goto("/")
    more = page.locator("[data-show-more]")
    assert more.get_attribute("role") == "button"
    more.focus()
    page.keyboard.press(key)
    expect(page.locator("[data-feed-list] .feed-item")).to_have_count(20)
    assert re.search(r"/#until-\d+$", page.url) and "/page/" not in page.url, "the key followed the link instead"
    focused = page.evaluate("document.activeElement.closest('.feed-item')?.dataset.position")
    assert focused == page.locator("[data-feed-list] .feed-item").nth(10).get_attribute("data-position")


def _settled_scroll(page):
    """window.scrollY once it has stopped changing (the place is restored after the stories load)."""
    previous = None
    for _ in range(20):
        current = page.evaluate("new Promise(done => requestAnimationFrame(() => done(window.scrollY)))")
        if current == previous:
            return current
        previous = current
    return previous


def test_back_reload_and_a_shared_link_return_to_the_same_place_after_show_more(page, new_page, server):
    """Three presses of Show More, a story opened from far down the list, then Back: the same 40 stories and the
    same scroll position. A reload does the same, and the link shared from there shows those stories too."""
    page.goto("/")
    items = page.locator("[data-feed-list] .feed-item")
    more = page.locator("[data-show-more]")
    for expected in (20, 30, 40):
        more.click()
        expect(items).to_have_count(expected)
        expect(page.locator("[data-show-more][aria-busy=true]")).to_have_count(0)
    shown = _shown(page)
    place = f"/#until-{shown[-1][0]}"
    assert page.url == server.url + place
    target = items.nth(34).locator(".feed-item__headline a")
    target.scroll_into_view_if_needed()
    target.focus()  # opened with the keyboard: a click would let Playwright scroll the page again first
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 1000
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{shown[34][1]}")
    page.go_back()
    page.wait_for_url(f"**{place}")
    expect(items).to_have_count(40)
    assert _shown(page) == shown
    expect(page.locator(".feed-item").nth(34)).to_be_in_viewport()
    assert _settled_scroll(page) == pytest.approx(scrolled, abs=2)

    page.reload()
    expect(items).to_have_count(40)
    assert _shown(page) == shown
    expect(page.locator(".feed-item").nth(34)).to_be_in_viewport()
    assert _settled_scroll(page) == pytest.approx(scrolled, abs=2)

    shared = new_page()
    shared.goto(place)
    expect(shared.locator("[data-feed-list] .feed-item")).to_have_count(40)
    assert _shown(shared) == shown
    expect(shared.locator(f'.feed-item[data-position="{shown[-1][0]}"]')).to_be_in_viewport()
    # Show More goes on from there, and the day headings are those of a page rendered whole: one per day.
    days = shared.eval_on_selector_all(
        ".feed-item", "items => items.map(li => [li.dataset.day, !!li.querySelector('.feed-day')])"
    )
    assert all(heading == (i == 0 or day != days[i - 1][0]) for i, (day, heading) in enumerate(days))
    assert page.problems == [] and shared.problems == []
