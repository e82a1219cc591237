"""Requests that are legal but rare, and requests that are not legal at all, sent to Bulletin and to nginx."""

import gzip
import time

import pytest

from tests.hostile.raw import connect, exchange, get, parse_responses, receive, send

BOTH = ["bulletin", "nginx"]


def final(responses):
    return [r for r in responses if r.status >= 200]


@pytest.mark.parametrize("target", BOTH)
def test_expect_100_continue_gets_a_final_answer(servers, target):
    """nginx answers "100 Continue" when it starts reading the body and then its final answer (RFC 9110 §10.1.1);
    a client that does not wait for the 100 gets the final answer too. Bulletin must never stop at the 100."""
    body = b"username=nobody&password=wrong"
    head = (
        b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Expect: 100-continue\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    )
    with connect(servers[target], timeout=20) as sock:
        send(sock, head)
        interim, _ = receive(sock, timeout=3, until=lambda data: b"\r\n\r\n" in data)
        send(sock, body)  # as curl does after a second without an answer
        rest, _ = receive(sock, timeout=20)
    responses = parse_responses(interim + rest)
    assert all(r.status == 100 for r in responses[:-1])
    assert final(responses), f"no final answer after Expect: 100-continue: {(interim + rest)[:200]!r}"
    assert final(responses)[0].status in (200, 302, 400, 403)


@pytest.mark.parametrize("target", BOTH)
def test_head_then_get_on_one_connection_to_the_app(servers, target):
    """nginx answers a HEAD to a proxied URL with the headers only and keeps the connection (keepalive_requests
    1000): the GET that follows on the same connection gets its page."""
    with connect(servers[target], timeout=20) as sock:
        send(sock, b"HEAD /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first, _ = receive(sock, timeout=15, until=lambda data: b"\r\n\r\n" in data)
        send(sock, get("/admin/login/", close=True))
        rest, _ = receive(sock, timeout=15)
    responses = parse_responses(first + rest, methods=["HEAD", "GET"])
    assert [r.status for r in responses] == [200, 200], (first + rest)[:300]
    assert responses[0].body == b"" and b'name="username"' in responses[1].body


@pytest.mark.parametrize("target", BOTH)
def test_an_oversized_body_gets_413_before_django_sees_it(servers, newsroom, target):
    """nginx compares Content-Length with client_max_body_size (default 1m; the generated configuration says 64m)
    before it reads the body, and answers 413 without passing the request on. A login with a body that declares
    a gigabyte must get 413 from Bulletin as well, and must not log anyone in."""
    last_login = "from django.contrib.auth.models import User; print(User.objects.get(username=%r).last_login)"
    before = newsroom.manage(last_login % newsroom.username)
    start = f"username={newsroom.username}&password={newsroom.password}&padding=".encode()
    head = (
        b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % (1024**3)
    )
    with connect(servers[target], timeout=20) as sock:
        send(sock, head + start + b"x" * 65536)
        raw, _ = receive(sock, timeout=20, until=lambda data: b"\r\n\r\n" in data)
    responses = parse_responses(raw)
    status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else None
    assert status == 413, f"expected 413 for a 1 GB body, got {raw[:200]!r}" if raw else "no answer to a 1 GB body"
    assert not any("sessionid" in value for r in responses for name, value in r.header_lines if name == "set-cookie")
    assert newsroom.manage(last_login % newsroom.username) == before


@pytest.mark.parametrize("target", BOTH)
def test_an_h2c_upgrade_request_is_served_as_http_1_1(servers, front, target):
    """nginx without `http2` on the listener ignores `Upgrade: h2c` and answers the GET (RFC 9110 §7.8: a server
    MAY ignore Upgrade; RFC 9113 deprecates h2c). No 501 for a header the client was free to send."""
    data = (
        b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n" + get("/robots.txt", close=True)
    )
    responses, _, raw = exchange(servers[target], data)
    assert [r.status for r in responses] == [200, 200], raw[:300]
    assert responses[0].body == (front.public / "robots.txt").read_bytes()


@pytest.mark.parametrize("target", BOTH)
def test_a_one_byte_range_gets_206(servers, front, target):
    """nginx honours a single byte range on a file (max_ranges, default unlimited): 206 with Content-Range and
    exactly those bytes (RFC 9110 §14.2)."""
    content = (front.public / "robots.txt").read_bytes()
    responses, _, raw = exchange(servers[target], get("/robots.txt", close=True, Range="bytes=0-0"))
    assert responses and responses[0].status == 206, raw[:300]
    assert responses[0].headers["content-range"] == f"bytes 0-0/{len(content)}"
    assert responses[0].body == content[:1]
    responses, _, _ = exchange(servers[target], get("/robots.txt", close=True, Range="bytes=-1"))
    assert responses[0].status == 206 and responses[0].body == content[-1:]


@pytest.mark.parametrize("target", BOTH)
def test_an_unsatisfiable_range_gets_416(servers, front, target):
    """nginx answers a range that starts past the end of the file with 416 and `Content-Range: bytes */size`
    (RFC 9110 §15.5.17)."""
    size = (front.public / "robots.txt").stat().st_size
    responses, _, raw = exchange(servers[target], get("/robots.txt", close=True, Range=f"bytes={size + 10}-"))
    assert responses and responses[0].status == 416, raw[:300]
    assert responses[0].headers.get("content-range") == f"bytes */{size}"


def test_a_300_character_path_segment_is_404(front):
    """nginx answers a file name longer than the file system allows (ENAMETOOLONG) like a missing file: 404,
    not 400 or 500 (ngx_http_static_module). Behind nginx such a URL is passed to the app, whose 404 it relays
    (or, for a page URL without its final slash, Django's APPEND_SLASH redirect to the URL with it)."""
    for path in [
        "/" + "a" * 300 + "/",
        "/" + "a" * 300,
        "/sections/" + "b" * 300 + "/",
        "/static/" + "c" * 300 + ".css",
        "/media/images/" + "d" * 300 + ".jpg",
        "/" + "e" * 300 + "/?utm_source=x",
    ]:
        responses, _, raw = exchange(front.port, get(path, close=True))
        assert responses, f"{path[:20]}…: no answer"
        redirected = responses[0].status == 301 and responses[0].headers.get("location", "").endswith(path + "/")
        assert responses[0].status == 404 or redirected, f"{path[:20]}…: {raw[:200]!r}"


@pytest.mark.parametrize("target", BOTH)
@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("br;q=0, gzip", "gzip"),
        ("br;q=0", None),
        ("gzip;q=0", None),
        ("gzip;q=0, br;q=0", None),
        ("*;q=0, identity", None),
    ],
)
def test_refused_codings_are_not_sent(servers, front, target, accept, coding):
    """nginx's gzip_static sends the .gz file only when Accept-Encoding accepts gzip with q > 0 (it reads
    q-values: ngx_http_gzip_ok); `br;q=0` alone means "anything but brotli", so the page goes uncompressed
    (RFC 9110 §12.5.3)."""
    responses, _, raw = exchange(servers[target], get("/", close=True, Accept_Encoding=accept))
    assert responses and responses[0].status == 200, raw[:300]
    assert responses[0].headers.get("content-encoding") == coding
    body = gzip.decompress(responses[0].body) if coding else responses[0].body
    assert body == (front.public / "index.html").read_bytes()


@pytest.mark.parametrize("target", BOTH)
def test_pipelined_requests_are_answered_in_order(servers, front, target):
    """nginx answers pipelined requests one after the other, in the order they came (RFC 9112 §9.3.2)."""
    paths = ["/page/1/", "/robots.txt", "/admin/login/", "/feeds/rss.xml"]
    data = b"".join(get(path, close=i == len(paths) - 1) for i, path in enumerate(paths))
    responses, _, raw = exchange(servers[target], data, timeout=20)
    assert [r.status for r in responses] == [200] * 4, raw[:300]
    assert responses[0].body == (front.public / "page/1/index.html").read_bytes()
    assert responses[1].body == (front.public / "robots.txt").read_bytes()
    assert b'name="username"' in responses[2].body
    assert responses[3].body == (front.public / "feeds/rss.xml").read_bytes()


# Path traversal: none of these may reach a file outside public/ (or the media folder).
TRAVERSALS = [
    "/../secret_key",
    "/../../etc/passwd",
    "/static/../../secret_key",
    "/%2e%2e/secret_key",
    "/%2E%2E/%2e%2e/etc/passwd",
    "/%252e%252e/secret_key",
    "/..%2fsecret_key",
    "/..%2F..%2Fetc%2Fpasswd",
    "/static/..%2f..%2fsecret_key",
    "/%c0%ae%c0%ae/secret_key",
    "/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc/passwd",
    "/..\\secret_key",
    "/%5c..%5csecret_key",
    "/static\\..\\..\\secret_key",
    "/index.html%00",
    "/..%00/secret_key",
    "/%00../secret_key",
    "//etc/passwd",
    "/etc/passwd",
    "/media/../secret_key",
    "/media/..%2fsecret_key",
    "/media/%2e%2e/secret_key",
    "http://127.0.0.1/../secret_key",
    "/./../secret_key",
    "/.%2e/secret_key",
    "/bulletin.sqlite3",
    "/../bulletin.sqlite3",
    "/%2e%2e/bulletin.sqlite3",
]


@pytest.mark.parametrize("target", BOTH)
@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_never_leaves_public(servers, front, target, path):
    """nginx refuses a URI that climbs above the root with 400 ("client sent invalid request"), decodes %XX once
    (so %252e stays a literal name), rejects %00, and treats a backslash or an overlong UTF-8 dot as an ordinary
    character: the answer is 400 or 404, never a file from outside its root."""
    secret = (front.public.parent / "secret_key").read_bytes().strip()
    responses, closed, raw = exchange(
        servers[target], f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    )
    assert secret not in raw and b"root:x:0:0" not in raw and b"SQLite format 3" not in raw
    assert (not responses and closed) or responses[0].status in (301, 302, 308, 400, 403, 404), raw[:300]


SMUGGLED = b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
POST = b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
SMUGGLING = {
    "cl-and-te, cl covers all": POST
    + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n%s" % (5 + len(SMUGGLED), SMUGGLED),
    "cl-and-te, cl covers the chunks": POST
    + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    + SMUGGLED,
    "te-and-cl, te first": POST + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "double content-length": POST + b"Content-Length: 0\r\nContent-Length: %d\r\n\r\n%s" % (len(SMUGGLED), SMUGGLED),
    "content-length list": POST + b"Content-Length: 0, %d\r\n\r\n%s" % (len(SMUGGLED), SMUGGLED),
    "chunk size overflow": POST + b"Transfer-Encoding: chunked\r\n\r\n10000000000000000000\r\n0\r\n\r\n" + SMUGGLED,
    "negative chunk size": POST + b"Transfer-Encoding: chunked\r\n\r\n-1\r\n0\r\n\r\n" + SMUGGLED,
    "hex prefix chunk size": POST + b"Transfer-Encoding: chunked\r\n\r\n0x0\r\n\r\n" + SMUGGLED,
    "chunk size with space": POST + b"Transfer-Encoding: chunked\r\n\r\n 0\r\n\r\n" + SMUGGLED,
    "chunk without crlf": POST + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc0\r\n\r\n" + SMUGGLED,
    "obs-fold transfer-encoding": POST
    + b"Content-Length: %d\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n%s" % (5 + len(SMUGGLED), SMUGGLED),
    "space before colon": POST
    + b"Content-Length: %d\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n%s" % (5 + len(SMUGGLED), SMUGGLED),
    "unknown transfer-coding": POST
    + b"Content-Length: %d\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n%s" % (5 + len(SMUGGLED), SMUGGLED),
    "chunked not last": POST
    + b"Content-Length: %d\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n%s" % (5 + len(SMUGGLED), SMUGGLED),
    "bare lf line endings": b"POST /admin/login/ HTTP/1.1\nHost: 127.0.0.1\nContent-Length: %d\nTransfer-Encoding: "
    b"chunked\n\n0\n\n%s" % (3 + len(SMUGGLED), SMUGGLED),
}


@pytest.mark.parametrize("target", BOTH)
@pytest.mark.parametrize("name", list(SMUGGLING))
def test_a_smuggled_request_is_never_answered(servers, front, target, name):
    """nginx (since 1.21.1) answers 400 to a request with both Content-Length and Transfer-Encoding, to a second
    or malformed Content-Length, to a bad chunk size and to a header line it cannot parse, and closes the
    connection (RFC 9112 §6.1, §6.3, §7.1, §5.2). Whatever Bulletin answers, the request hidden after the first
    one (a GET for /robots.txt) must never get an answer on that connection."""
    robots = (front.public / "robots.txt").read_bytes()
    responses, closed, raw = exchange(servers[target], SMUGGLING[name], timeout=8)
    assert robots not in raw and b"Sitemap:" not in raw, f"the smuggled request was answered: {raw[:400]!r}"
    assert len(final(responses)) <= 1
    assert all(r.status < 500 or r.status == 501 for r in responses), raw[:300]  # 501: an unknown coding


@pytest.mark.parametrize("target", BOTH)
def test_an_obs_folded_header_is_refused_or_unfolded(servers, front, target):
    """RFC 9112 §5.2: a server MUST reject a request with obs-fold (400) or replace each fold with a space;
    nginx answers 400 ("client sent invalid header line")."""
    data = b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n"
    responses, closed, raw = exchange(servers[target], data)
    assert (responses and responses[0].status in (200, 400)) or (not responses and closed), raw[:300]
    if responses and responses[0].status == 200:
        assert responses[0].body == (front.public / "robots.txt").read_bytes()


def test_the_server_still_answers_after_the_hostile_requests(front):
    """None of the requests above may have taken a worker down."""
    deadline = time.monotonic() + 10
    while True:
        responses, _, _ = exchange(front.port, get("/", close=True))
        if responses and responses[0].status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert responses and responses[0].body == (front.public / "index.html").read_bytes()
