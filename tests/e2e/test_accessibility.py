"""axe-core finds no WCAG 2.0/2.1/2.2 A and AA violations on any page type, as rendered by Chromium."""

import json

import pytest
from playwright.sync_api import expect

from .conftest import PAGE_TYPES, REPO

pytestmark = pytest.mark.e2e

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: Without runOnly, target-size (WCAG 2.2 SC 2.5.8) and other rules are skipped (axe-core's documentation of runOnly).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def _violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["testEngine"]["version"] == "4.14.1" and result["passes"], "axe did not run its rules"
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")} for n in v["nodes"][:5]],
        }
        for v in result["violations"]
    ]


#: Both widths in the light scheme; the dark scheme (its own colours, so its own contrast) at desktop width, where
#: every part of every page is shown (the News Feed's sections column too).
VIEWS = {
    "desktop": (1280, "light"),
    "phone": (390, "light"),
    "desktop-dark": (1280, "dark"),
}


@pytest.mark.parametrize("page_type", PAGE_TYPES)
@pytest.mark.parametrize("view", VIEWS)
def test_no_axe_violations(new_page, page_paths, page_type, view):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make node_modules/.installed)")
    width, scheme = VIEWS[view]
    # The page's CSP (script-src 'self') would block the injected axe script; it does not change what axe checks.
    page = new_page(
        bypass_csp=True, color_scheme=scheme, viewport={"width": width, "height": 844 if width < 500 else 800}
    )
    page.goto(page_paths[page_type])
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    if page_type == "story":
        expect(page.locator("[data-feed-widget] .feed-item")).to_have_count(10)
    violations = _violations(page)
    assert violations == [], f"axe violations on {page_paths[page_type]}:\n{json.dumps(violations, indent=2)}"


@pytest.mark.parametrize("page_type", ["news-feed", "story"])
def test_no_axe_violations_after_show_more(new_page, page_paths, page_type):
    """Stories appended by Show More (in the feed, or in the story page's widget) are as accessible as the first."""
    page = new_page(bypass_csp=True)
    page.goto(page_paths[page_type])
    scope = page.locator("[data-feed-widget]" if page_type == "story" else "main")
    expect(scope.locator(".feed-item")).to_have_count(10)
    scope.locator("[data-show-more]").click()
    expect(scope.locator(".feed-item")).to_have_count(20)
    violations = _violations(page)
    assert violations == [], f"axe violations after Show More:\n{json.dumps(violations, indent=2)}"
