"""Every reader page type weighs at most 50 KB of HTML, CSS and JavaScript before images, transferred (DESIGN.md,
quality bar): the bytes a browser receives, compressed as `bulletin serve` sends them to a browser that accepts
brotli and gzip, for the page, its stylesheets and scripts, and the fragments its script loads at once (the story
page's News Feed widget). The uncompressed total is checked too, against twice the budget, so that a page cannot
grow without bound behind good compression. The static CSS and JavaScript have precompressed variants written by
collectstatic, and the search page, rendered per request, is gzipped by Django (docs/serving.md)."""

import re
import urllib.request

import pytest

from .conftest import PAGE_TYPES

pytestmark = pytest.mark.e2e

BUDGET = 50 * 1024
ASSETS = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/[^"]+)"')
FETCHED_AT_ONCE = re.compile(r'data-feed-widget="(/[^"]+)"')


def _size(server, path, coding="identity"):
    request = urllib.request.Request(server.url + path, headers={"Accept-Encoding": coding})
    with urllib.request.urlopen(request, timeout=10) as response:  # urllib decodes nothing: these are wire bytes
        assert response.status == 200, path
        return len(response.read())


@pytest.mark.parametrize("page_type", [*PAGE_TYPES, "search"])
def test_a_page_and_what_it_loads_weigh_at_most_50_kb_before_images(server, page_paths, page_type):
    path = "/search/?q=kyiv" if page_type == "search" else page_paths[page_type]
    html = server.html(path)
    paths = [path, *ASSETS.findall(html), *FETCHED_AT_ONCE.findall(html)]
    assert len(paths) >= 3, f"no stylesheet or script found on {path}: {paths}"
    transferred = {part: _size(server, part, "br, gzip") for part in paths}
    uncompressed = {part: _size(server, part) for part in paths}
    assert sum(transferred.values()) <= BUDGET, f"{path}: {sum(transferred.values())} bytes > {BUDGET}: {transferred}"
    assert sum(uncompressed.values()) <= 2 * BUDGET, f"{path}: {uncompressed}"
