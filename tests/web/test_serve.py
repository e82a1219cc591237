"""`bulletin serve` as readers and CDNs meet it: a real server subprocess on a free port."""

import gzip
import socket
import time

import brotli
import pytest

from bulletin.publishing.paths import file_for
from tests.servers import SYNDICATION_FILES, check_syndication_file, request

UNPUBLISH_NEWEST = """
from bulletin.newsroom.models import StoryPage
story = StoryPage.objects.in_feed().first().specific
story.unpublish()
print(story.url)
"""
PUBLISH_ONE = """
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage
story = StoryPage(title="Fresh from the desk", slug="fresh-from-the-desk", summary="Just in.",
                  section=Section.objects.first(), live=False)
story.bylines = [Byline(author=Author.objects.first())]
NewsFeedPage.objects.get().add_child(instance=story)
story.save_revision().publish()
"""


def test_pages_come_from_public_with_type_and_cache_headers(server):
    port, public, *_ = server
    status, headers, body = request(port, "/")
    assert status == 200 and body == (public / "index.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "s-maxage=5" in headers["Cache-Control"] and "stale-while-revalidate" in headers["Cache-Control"]
    assert headers["ETag"] and headers["Last-Modified"] and headers["Vary"] == "Accept-Encoding"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    status, headers, _ = request(port, "/page/1/")
    assert status == 200 and "s-maxage=300" in headers["Cache-Control"]


@pytest.mark.parametrize(("path", "content_type"), SYNDICATION_FILES)
def test_feeds_and_sitemaps_come_from_public_with_their_types(server, path, content_type):
    port, public, *_ = server
    headers = check_syndication_file(port, public, path, content_type)
    assert headers["Vary"] == "Accept-Encoding"


def test_the_current_months_sitemap_is_served(server):
    port, public, *_ = server
    month = next((public / "sitemaps").glob("stories-*.xml")).name
    check_syndication_file(port, public, f"/sitemaps/{month}", "application/xml; charset=utf-8")


def test_fingerprinted_static_files_are_cached_for_a_year(server):
    port, public, *_ = server
    css = next((public / "static/bulletin").glob("bulletin.*.css")).name
    status, headers, _ = request(port, f"/static/bulletin/{css}")
    assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip", "gzip", gzip.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
        ("br;q=0, gzip", "gzip", gzip.decompress),
    ],
)
def test_precompressed_variants_are_negotiated(server, accept, encoding, decode):
    port, public, *_ = server
    status, headers, body = request(port, "/", headers={"Accept-Encoding": accept})
    assert status == 200 and headers["Content-Encoding"] == encoding
    assert decode(body) == (public / "index.html").read_bytes()


@pytest.mark.parametrize("pattern", ["bulletin.*.css", "bulletin.*.js", "breaking-news.*.js", "favicon.*.svg"])
def test_static_files_have_precompressed_variants_that_are_negotiated(server, pattern):
    """collectstatic (run by `bulletin build`) writes each fingerprinted stylesheet, script and SVG's .gz and .br
    beside it, and the front sends them: the static files are most of a page's weight (DESIGN.md, 50 KB)."""
    port, public, *_ = server
    file = next((public / "static/bulletin").glob(pattern))
    original = file.read_bytes()
    assert gzip.decompress(file.with_name(file.name + ".gz").read_bytes()) == original
    assert brotli.decompress(file.with_name(file.name + ".br").read_bytes()) == original
    for accept, encoding, decode in (("gzip, deflate, br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)):
        status, headers, body = request(port, f"/static/bulletin/{file.name}", headers={"Accept-Encoding": accept})
        assert status == 200 and headers["Content-Encoding"] == encoding and headers["Vary"] == "Accept-Encoding"
        assert decode(body) == original and len(body) < len(original)
    status, headers, body = request(port, f"/static/bulletin/{file.name}", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in headers and headers["Vary"] == "Accept-Encoding" and body == original


def test_djangos_public_answers_are_compressed(server):
    """/search/ is rendered per request (it reflects the query): Django gzips it, as it carries no secret."""
    port, *_ = server
    status, headers, body = request(port, "/search/?q=news", headers={"Accept-Encoding": "gzip, br"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert b"</html>" in gzip.decompress(body)
    status, headers, body = request(port, "/search/?q=news", headers={"Accept-Encoding": "identity"})
    assert status == 200 and "Content-Encoding" not in headers and b"</html>" in body


def test_the_sign_in_page_and_its_csrf_token_are_never_compressed(server):
    """BREACH: a compressed answer that carries a secret (the sign-in form's CSRF token, its cookie) beside what
    the client sent (?next=) would let the secret be guessed from its size; Django sends it uncompressed
    (tests/web/test_compression.py checks each rule)."""
    port, *_ = server
    status, headers, body = request(port, "/admin/login/?next=/admin/", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and b"csrfmiddlewaretoken" in body
    assert "Content-Encoding" not in headers


def test_identity_when_the_client_accepts_no_compression(server):
    port, *_ = server
    status, headers, _ = request(port, "/", headers={"Accept-Encoding": "identity"})
    assert status == 200 and "Content-Encoding" not in headers


def test_matching_if_none_match_gets_304(server):
    port, *_ = server
    _, headers, _ = request(port, "/page/1/", headers={"Accept-Encoding": "gzip"})
    status, again, body = request(
        port, "/page/1/", headers={"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]}
    )
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    assert request(port, "/page/1/", headers={"If-None-Match": '"not-it"'})[0] == 200


def test_if_modified_since_gets_304(server):
    port, *_ = server
    _, headers, _ = request(port, "/page/1/")
    assert request(port, "/page/1/", headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert request(port, "/page/1/", headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})[0] == 200


def test_head_sends_headers_only(server):
    port, *_ = server
    status, headers, body = request(port, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_misses_fall_through_to_the_app(server):
    port, *_ = server
    assert request(port, "/admin/login/")[0] == 200
    assert request(port, "/page/999/")[0] == 404
    status, headers, _ = request(port, "/favicon.ico")
    assert status == 301 and headers["Location"].startswith("/static/")


@pytest.mark.parametrize(
    "path",
    [
        "/.generation",
        "/.publisher.lock",
        "/..%2f..%2fetc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../secret_key",
        "/page/1/.gone.html",
    ],
)
def test_hidden_and_escaping_paths_are_not_served(server, path):
    port, *_ = server
    status, _, body = request(port, path)
    assert status in (400, 404) and b"root:" not in body


def test_pipelined_requests_are_answered_in_order(server):
    port, *_ = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"GET /page/1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            b"GET /page/2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 3
    first, second, third = data.index(b"page 1</span>"), data.index(b'name="username"'), data.index(b"page 2</span>")
    assert first < second < third


def test_a_publish_is_served_within_a_second(server):
    port, _, manage, _ = server
    manage(PUBLISH_ONE)
    deadline = time.monotonic() + 1.0 + 0.5  # the front polls public/.generation every 0.1 s; 0.5 s of slack
    while b"Fresh from the desk" not in request(port, "/")[2]:
        assert time.monotonic() < deadline, "the new story did not reach the served News Feed"
        time.sleep(0.05)
    assert request(port, "/fresh-from-the-desk/")[0] == 200


def test_an_unpublished_story_answers_410(server):
    port, public, manage, _ = server
    url = manage(UNPUBLISH_NEWEST).splitlines()[-1]
    time.sleep(0.3)
    status, headers, body = request(port, url)
    assert status == 410 and b"This story was removed" in body
    assert url.encode() not in request(port, "/")[2]


def raw_exchange(port, data, timeout=10):
    """Send ``data`` on one connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def status_lines(data):
    return [line for line in data.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


@pytest.mark.parametrize("query", ["utm_source=x&fbclid=y", "utm_medium=social&utm_campaign=a%20b", "x"])
def test_tracking_parameters_get_the_file_not_django(server, query):
    port, public, *_ = server
    _, plain, _ = request(port, "/")
    for path in ("/", "/page/1/", "/feeds/rss.xml"):
        status, headers, body = request(port, f"{path}?{query}")
        assert status == 200 and body == (public / file_for(path)).read_bytes()
        # Only the front's file answers carry Accept-Ranges and its digest ETag; Django's page has neither.
        assert headers["Accept-Ranges"] == "bytes"
    assert request(port, f"/?{query}")[1]["ETag"] == plain["ETag"]


def test_query_needing_prefixes_reach_django(server):
    port, *_ = server
    status, headers, body = request(port, "/admin/login/?next=/admin/")
    assert status == 200 and b'name="username"' in body and "Accept-Ranges" not in headers


@pytest.mark.parametrize(
    ("name", "attachment"),
    [("photo.png", False), ("photo.webp", False), ("drawing.svg", True), ("page.html", True), ("notes.pdf", True)],
)
def test_uploads_are_never_served_as_active_content(server, name, attachment):
    port, public, *_ = server
    upload = public.parent / "media" / "test-uploads" / name
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"<svg onload='alert(1)'/>")
    status, headers, _ = request(port, f"/media/test-uploads/{name}")
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert (headers.get("Content-Disposition") == "attachment") is attachment


def test_a_single_range_gets_206_and_one_past_the_end_416(server):
    port, public, *_ = server
    page = (public / "index.html").read_bytes()
    status, headers, body = request(port, "/", headers={"Range": "bytes=0-99"})
    assert status == 206 and body == page[:100] and headers["Content-Range"] == f"bytes 0-99/{len(page)}"
    status, headers, body = request(port, "/", headers={"Range": "bytes=-10"})
    assert status == 206 and body == page[-10:]
    status, headers, _ = request(port, "/", headers={"Range": f"bytes={len(page)}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(page)}"


def test_a_refused_coding_is_not_sent(server):
    port, *_ = server
    assert "Content-Encoding" not in request(port, "/", headers={"Accept-Encoding": "br;q=0"})[1]
    assert request(port, "/", headers={"Accept-Encoding": "br;q=0.5, gzip"})[1]["Content-Encoding"] == "gzip"


def test_a_long_path_segment_is_a_miss_not_a_bad_request(server):
    port, *_ = server
    assert request(port, "/" + "a" * 300 + "/")[0] == 404


def test_expect_100_continue_gets_its_answer(server):
    port, *_ = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n"
            b"Connection: close\r\n\r\n"
        )
        assert sock.recv(64).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"a=b&c=d")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert status_lines(answer) == [b"HTTP/1.1 403 Forbidden"]  # Django's CSRF check: the request reached it


@pytest.mark.parametrize("first", ["/", "/admin/login/"])
def test_head_then_get_on_one_connection(server, first):
    port, *_ = server
    answer = raw_exchange(
        port,
        f"HEAD {first} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        f"GET /page/1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode(),
    )
    assert status_lines(answer) == [b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK"]
    assert b"page 1</span>" in answer


def test_an_h2c_upgrade_is_ignored(server):
    port, *_ = server
    answer = raw_exchange(
        port,
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAAQAAP__\r\nConnection: Upgrade, HTTP2-Settings, close\r\n\r\n",
    )
    assert status_lines(answer) == [b"HTTP/1.1 200 OK"]


def test_a_body_over_the_limit_is_refused_before_django(server):
    port, *_ = server
    answer = raw_exchange(
        port,
        b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999999\r\nConnection: close\r\n\r\n",
    )
    assert status_lines(answer) == [b"HTTP/1.1 413 Payload Too Large"]


def test_headers_past_the_limits_get_431(server):
    port, *_ = server
    huge = raw_exchange(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n")
    assert status_lines(huge) == [b"HTTP/1.1 431 Request Header Fields Too Large"]
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(101))  # hyper's limit: 100 headers
    answer = raw_exchange(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"Connection: close\r\n\r\n")
    assert status_lines(answer) == [b"HTTP/1.1 431 Request Header Fields Too Large"]
