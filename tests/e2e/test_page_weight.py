"""Every reader page type weighs at most 50 KB of HTML, CSS and JavaScript before images (DESIGN.md, quality bar),
counted uncompressed: the page, its stylesheets and scripts, and the fragments its script loads at once (the
story page's News Feed widget)."""

import re
import urllib.request

import pytest

from .conftest import PAGE_TYPES

pytestmark = pytest.mark.e2e

BUDGET = 50 * 1024
ASSETS = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/[^"]+)"')
FETCHED_AT_ONCE = re.compile(r'data-feed-widget="(/[^"]+)"')


def _size(server, path):
    with urllib.request.urlopen(server.url + path, timeout=10) as response:  # no Accept-Encoding: identity
        assert response.status == 200, path
        return len(response.read())


@pytest.mark.parametrize("page_type", [*PAGE_TYPES, "search"])
def test_a_page_and_what_it_loads_weigh_at_most_50_kb_before_images(server, page_paths, page_type):
    path = "/search/?q=kyiv" if page_type == "search" else page_paths[page_type]
    html = server.html(path)
    parts = {path: len(html.encode())}
    for asset in ASSETS.findall(html) + FETCHED_AT_ONCE.findall(html):
        parts[asset] = _size(server, asset)
    assert len(parts) >= 3, f"no stylesheet or script found on {path}: {parts}"
    assert sum(parts.values()) <= BUDGET, f"{path}: {sum(parts.values())} bytes > {BUDGET}: {parts}"
