"""A story page in a real browser has every part of the reference page (docs/reading.md)."""

import html as htmllib
import re

import pytest
from playwright.sync_api import expect

from .conftest import NEWS_CLOCK, NEWS_UPDATE_TIME, feed_positions

pytestmark = pytest.mark.e2e


def _text(locator):
    return " ".join(locator.inner_text().split())


def _loaded(image):
    return image.evaluate("img => img.complete && img.naturalWidth > 0")


def _before(page, first, second):
    """True if the element matching ``first`` comes before ``second`` in the document."""
    return page.evaluate(
        "([a, b]) => !!(document.querySelector(a).compareDocumentPosition(document.querySelector(b))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)",
        [first, second],
    )


def _check_story(page, server):
    section = page.locator(".story__section")
    headline = page.locator("h1.story__headline")
    assert section.count() == 1 and _text(section)
    assert section.locator("a").get_attribute("href").startswith("/sections/")
    assert page.locator("h1").count() == 1 and _text(headline)
    assert _before(page, ".story__section", "h1.story__headline"), "the section label must sit above the headline"
    assert re.fullmatch(r"\d+ min read", _text(page.locator(".story__reading-time")))

    feature = page.locator("figure.story__feature")
    assert feature.count() == 1
    image = feature.locator("img")
    image.scroll_into_view_if_needed()
    assert image.get_attribute("alt"), "the feature image needs alt text"
    expect(image).to_have_js_property("complete", True)
    assert _loaded(image), "the feature image did not load"
    caption = _text(feature.locator("figcaption"))
    credit = _text(feature.locator("figcaption .credit"))
    assert re.fullmatch(r"Photo: \S.*", credit), credit
    assert len(caption) > len(credit), "the caption has no text besides the credit"

    paragraphs = page.locator(".story__body p")
    assert paragraphs.count() >= 1
    assert all(text.strip() for text in paragraphs.all_inner_texts())

    boxes = page.locator("aside.author-box")
    assert boxes.count() >= 1
    for box in boxes.all():
        avatar = box.locator("img.author-box__avatar")
        avatar.scroll_into_view_if_needed()
        expect(avatar).to_have_js_property("complete", True)
        assert _loaded(avatar), "the author's avatar did not load"
        name = box.locator(".author-box__name")
        assert _text(name) and _text(box.locator(".author-box__title")) and _text(box.locator(".author-box__bio"))
        more = box.locator("a.author-box__more")
        assert _text(more).startswith("Read more")
        author_url = more.get_attribute("href")
        assert author_url.startswith("/authors/") and author_url == name.locator("a").get_attribute("href")
        assert server.get(author_url)[0] == 200


def _check_widget(page, server):
    widget = page.locator("aside.feed-widget [data-feed-widget]")
    items = widget.locator(".feed-item")
    items.first.wait_for()
    assert items.count() == 10
    previous_day = None
    for item in items.all():
        # The day is named once, above its first story; the item gives the time of day only.
        day = item.get_attribute("data-day")
        heading = item.locator(".feed-day")
        assert heading.count() == (day != previous_day)
        if heading.count():
            name = item.get_attribute("data-day-name").removesuffix(f", {day[:4]}")
            assert heading.text_content() in ("Today", name)
        previous_day = day
        time = item.locator("time.feed-item__time")
        assert re.fullmatch(NEWS_CLOCK, _text(time)), _text(time)
        assert time.get_attribute("datetime").startswith(day)
        assert _text(item.locator(".feed-item__section"))
        link = item.locator(".feed-item__headline a")
        assert _text(link) and link.get_attribute("href").startswith("/")
        updated = item.locator(".feed-item__updated")
        if updated.count():
            update_time = _text(updated.locator("time"))
            assert re.fullmatch(NEWS_UPDATE_TIME, update_time), f"empty or malformed update time {update_time!r}"
            assert _text(updated) == f"Updated {update_time}"
        else:
            assert "Updated" not in item.inner_text(), "“Updated” without an update time"

    def shown():
        return item_positions(widget)

    assert shown() == [position for position, _ in feed_positions(server, 10)]
    widget.locator("[data-show-more]").click()
    expect(items).to_have_count(20)
    positions = shown()
    assert len(positions) == 20 and len(set(positions)) == 20, positions
    assert positions == [position for position, _ in feed_positions(server, 20)]


def item_positions(scope):
    return scope.locator(".feed-item").evaluate_all("items => items.map(li => +li.dataset.position)")


def test_story_page_has_the_reference_structure(page, server, stories):
    page.goto(stories["first"])
    url = page.url
    _check_story(page, server)
    _check_widget(page, server)
    assert page.url == url, "Show More in the widget navigated away"
    assert page.problems == []


def test_link_card_shows_the_linked_story(page, server, stories):
    path, linked = stories["with_link_card"]
    page.goto(path)
    _check_story(page, server)
    card = page.locator(f"aside.link-card:has(a[href='{linked}'])").first
    target = server.html(linked)
    headline = htmllib.unescape(re.search(r'<h1 class="story__headline">(.*?)</h1>', target, re.S).group(1))
    summary = htmllib.unescape(re.search(r'<p class="story__summary">(.*?)</p>', target, re.S).group(1))
    assert _text(card.locator(".link-card__title")) == " ".join(headline.split())
    card_summary = _text(card.locator(".link-card__summary"))
    assert card_summary and " ".join(summary.split()).startswith(card_summary.rstrip("…").rstrip())
    image = card.locator("img.link-card__image")
    assert image.count() == 1, "a link card to a story shows its image"
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert _loaded(image)
    assert page.problems == []


def test_story_without_javascript_links_to_the_news_feed(new_page, stories):
    page = new_page(java_script_enabled=False)
    page.goto(stories["first"])
    body = page.locator("aside.feed-widget [data-feed-widget]")
    assert body.locator(".feed-item").count() == 0
    assert body.locator("a[href='/']").count() == 1
