"""Share links with tracking parameters are answered from public/; URLs whose query is the request reach the app.

The proof that an answer came from the file and not from Django: the test rewrites the file in public/ (as the
publisher does: a new file renamed over it, then public/.generation bumped) with a marker Django could never
render, since Django renders from the database. The answer must carry the marker, and the same ETag as the bare
URL's.
"""

import os
import time

import pytest

from bulletin.publishing.paths import file_for
from tests.hostile.raw import exchange, get

BOTH = ["bulletin", "nginx"]
MARKER = b"<!-- hostile-suite: served from public/ -->"


def write_atomic(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(".tmp-hostile-" + path.name)
    temporary.write_bytes(data)
    os.replace(temporary, path)


@pytest.fixture
def rewrite_file(front):
    """Rewrite or add files in public/ as the publisher does; put everything back after the test."""
    public, originals, created = front.public, {}, []

    def bump_generation():
        write_atomic(public / ".generation", str(time.time_ns()).encode())

    def rewrite(name, data):
        path = public / name
        for folder in reversed(path.relative_to(public).parents[:-1]):
            if not (public / folder).exists():
                created.append(public / folder)  # removed after: nginx answers 403 for an empty folder
        if path not in originals:
            originals[path] = path.read_bytes() if path.exists() else None
        write_atomic(path, data)
        bump_generation()

    yield rewrite
    for path, data in originals.items():
        if data is None:
            path.unlink()
        else:
            write_atomic(path, data)
    for folder in reversed(created):
        folder.rmdir()
    bump_generation()


def a_story_url(public):
    story = next(p for p in sorted(public.iterdir()) if p.is_dir() and (p / "index.html").exists() and "-" in p.name)
    return f"/{story.name}/"


def get_until(port, path, marker, seconds=10):
    """GET ``path`` until its body holds ``marker`` (the front, or nginx's open_file_cache, sees a new file within a
    second); returns the last response."""
    deadline = time.monotonic() + seconds
    while True:
        responses, _, _ = exchange(port, get(path, close=True))
        if (responses and marker in responses[0].body) or time.monotonic() > deadline:
            return responses[0] if responses else None
        time.sleep(0.1)


@pytest.mark.parametrize("target", BOTH)
@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/", "?utm_source=x&fbclid=y"),
        ("story", "?utm_campaign=spring&utm_medium=social&utm_source=facebook"),
        ("/page/1/", "?fbclid=IwAR0abc"),
        ("/feeds/rss.xml", "?utm_source=feedly"),
        ("/live/latest.json", "?_=1764400000000"),
    ],
)
def test_a_share_link_is_served_from_the_file(servers, front, rewrite_file, target, url, query):
    """nginx's try_files $uri … looks at the path only: a URL that is a file is served as the file whatever its
    query string (`?utm_…`, `fbclid`), so share links never reach Django (docs/serving.md)."""
    url = a_story_url(front.public) if url == "story" else url
    name = file_for(url)
    rewrite_file(name, (front.public / name).read_bytes() + MARKER)
    bare = get_until(servers[target], url, MARKER)
    assert bare.status == 200 and MARKER in bare.body
    # Polled too: each of serve's workers notices the new file on its own, so the next request can reach one that
    # still holds the old bytes for a moment. The app never renders the marker, so an answer from it never passes.
    shared = get_until(servers[target], url + query, MARKER)
    assert shared is not None and shared.status == 200
    assert shared.body == (front.public / name).read_bytes(), "the share link was answered by the app"
    assert shared.headers.get("etag") == bare.headers.get("etag")


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/search/", "?q=x"),
        ("/api/content/posts/", "?key=abc&filter=tag:war"),
        ("/ghost/api/content/posts/", "?key=abc"),
        ("/admin/login/", "?next=/admin/pages/"),
    ],
)
def test_a_url_whose_query_is_the_request_reaches_the_app(front, rewrite_file, url, query):
    """Search terms, API parameters and the admin's `next` are the request: even with a file at the path (the
    test plants one), the app must answer, with the query. (nginx passes $args to the app with proxy_pass; the
    generated configuration must route these prefixes to the app for the same reason.)"""
    rewrite_file(file_for(url), b"<!doctype html><title>planted</title>" + MARKER)
    responses, _, raw = exchange(front.port, get(url + query, close=True))
    assert responses and MARKER not in responses[0].body, f"{url}{query} was answered from a file: {raw[:200]!r}"
    if url == "/admin/login/":
        assert responses[0].status == 200 and b'value="/admin/pages/"' in responses[0].body


@pytest.mark.parametrize("target", BOTH)
def test_the_query_reaches_the_app_unchanged(servers, target):
    """Django's APPEND_SLASH redirects /search?q=x to /search/?q=x, keeping the query: it saw it whole. nginx
    relays $args unchanged (proxy_pass without a URI)."""
    for url, location in [
        ("/search?q=war%20news&page=2", "/search/?q=war%20news&page=2"),
        ("/api/content/posts?key=abc&utm_source=x", "/api/content/posts/?key=abc&utm_source=x"),
    ]:
        responses, _, raw = exchange(servers[target], get(url, close=True))
        assert responses and responses[0].status in (301, 308), raw[:300]
        assert responses[0].headers["location"].endswith(location)
