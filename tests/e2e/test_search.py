"""The search pages in a real browser: no axe violations, no Nu checker errors, and the masthead form works
without JavaScript."""

import json
import subprocess

import pytest
from playwright.sync_api import expect

from .conftest import REPO
from .test_accessibility import AXE, _violations
from .test_html_validity import VNU

pytestmark = pytest.mark.e2e

SEARCH_PAGES = {
    "results": "/search/?q=the",
    "results-page-2": "/search/?q=the&page=2&sort=newest",
    "empty": "/search/",
    "no-results": "/search/?q=xyzzyqwerty",
    "past-the-end": "/search/?q=the&page=999",
    "escaped": "/search/?q=%3Cscript%3E",
}


@pytest.mark.parametrize("name", SEARCH_PAGES)
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_search_pages_have_no_axe_violations(new_page, name, width):
    assert AXE.exists()
    page = new_page(bypass_csp=True, viewport={"width": width, "height": 844 if width < 500 else 800})
    page.goto(SEARCH_PAGES[name])
    violations = _violations(page)
    assert violations == [], f"axe violations on {SEARCH_PAGES[name]}:\n{json.dumps(violations, indent=2)}"


def test_search_pages_are_valid_html(server, tmp_path):
    assert VNU.exists(), REPO
    files = []
    for name, path in SEARCH_PAGES.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(server.html(path), encoding="utf-8")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert json.loads(run.stdout)["messages"] == []


def test_the_masthead_form_searches_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    page.fill("#masthead-q", "the")
    page.press("#masthead-q", "Enter")
    page.wait_for_url("**/search/?q=the")
    assert page.locator(".search-results .story-card").count() == 20


def test_as_you_type_lists_results_from_search_json(new_page):
    page = new_page(bypass_csp=True)  # for axe's injected script; ours is served from 'self'

    page.goto("/search/")
    page.fill("#search-page-q", "repor")
    expect(page.locator("[data-search-suggestions] a")).to_have_count(5)
    assert "<mark>" in page.locator("[data-search-suggestions]").inner_html()
    assert "stories match" in page.locator("[data-search-suggestions-status]").text_content()
    violations = _violations(page)
    assert violations == [], json.dumps(violations, indent=2)
    assert page.problems == []
