"""Screenshots of the News Feed and a story page at desktop and phone width, in the light and the dark scheme,
kept in docs/screenshots/, with the geometry a reader relies on asserted: no sideways scrolling, a masthead of two
rows on a phone (the name, then one row of sections that scrolls sideways), the first headline above the fold,
the News Feed using the width at 1280 px, thumbnails of fixed size and no layout shift."""

import pytest
from playwright.sync_api import expect

from .conftest import REPO

pytestmark = pytest.mark.e2e

SHOTS = REPO / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
#: Sum of the layout-shift scores reported while the page loads (the browser's own CLS entries).
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) total += e.value; }))
    .observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 200);
})"""


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def _check_geometry(page, name, size):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    masthead, name_box = _box(page, ".masthead"), _box(page, ".masthead__name")
    links = page.locator(".masthead__nav a")
    tops = {round(box["y"]) for box in (link.bounding_box() for link in links.all())}
    assert len(tops) == 1, f"the sections wrap onto {len(tops)} rows"
    link_height = links.first.bounding_box()["height"]
    if size == "phone":
        # The name's row, then one row of sections, and nothing else.
        assert masthead["height"] <= name_box["height"] + link_height + 24, masthead
        assert page.locator(".masthead__nav").evaluate("nav => nav.scrollWidth > nav.clientWidth"), "no sideways bar"
    else:
        assert masthead["height"] <= max(name_box["height"], link_height) + 24, masthead
    if name == "news-feed":
        headline = _box(page, ".feed-item__headline")
        assert headline["y"] + headline["height"] <= SIZES[size]["height"], "the first headline is below the fold"
        thumb = page.locator(".feed-item__thumb").first
        expected = (96, 64) if size == "phone" else (160, 107)
        assert (round(thumb.bounding_box()["width"]), round(thumb.bounding_box()["height"])) == expected
        if size == "desktop":
            feed, aside = _box(page, ".feed-list"), _box(page, ".feed-aside")
            assert aside["x"] >= feed["x"] + feed["width"], "the sections stand beside the feed"
            assert aside["x"] + aside["width"] - feed["x"] >= 0.85 * 1280, "the page leaves the width empty"
    assert page.evaluate(LAYOUT_SHIFT) < 0.01, "the page shifted while loading"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["news-feed", "story"])
def test_screenshot(new_page, stories, name, size, scheme):
    phone = size == "phone"
    page = new_page(
        viewport=SIZES[size],
        device_scale_factor=1,
        is_mobile=phone,
        has_touch=phone,
        reduced_motion="reduce",
        color_scheme=scheme,
    )
    page.goto("/" if name == "news-feed" else stories["first"])
    if name == "story":
        expect(page.locator("[data-feed-widget] .feed-item")).to_have_count(10)
    page.evaluate("document.fonts.ready.then(() => true)")
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert dark == (scheme == "dark")
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background
    _check_geometry(page, name, size)
    # Every image on the page has loaded (lazy ones too), so the full-page shot has no holes.
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth > 0"), image.get_attribute("src")
    page.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if scheme == "light" else "-dark"
    page.screenshot(path=str(SHOTS / f"{name}-{size}{suffix}.png"), full_page=True)
    assert page.problems == []
