"""Screenshots of the News Feed and a story page at desktop and phone width, kept in docs/screenshots/."""

import pytest
from playwright.sync_api import expect

from .conftest import REPO

pytestmark = pytest.mark.e2e

SHOTS = REPO / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["news-feed", "story"])
def test_screenshot(new_page, stories, name, size):
    phone = size == "phone"
    page = new_page(
        viewport=SIZES[size], device_scale_factor=1, is_mobile=phone, has_touch=phone, reduced_motion="reduce"
    )
    page.goto("/" if name == "news-feed" else stories["first"])
    if name == "story":
        expect(page.locator("[data-feed-widget] .feed-item")).to_have_count(10)
    page.evaluate("document.fonts.ready.then(() => true)")
    # Every image on the page has loaded (lazy ones too), so the full-page shot has no holes.
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth > 0"), image.get_attribute("src")
    page.evaluate("window.scrollTo(0, 0)")
    # No horizontal scrolling at any width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
    assert page.problems == []
