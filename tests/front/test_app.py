"""The front's ASGI application in-process: which requests get a file, which reach Django, and the headers."""

import asyncio
import os

import pytest

from bulletin.front import files
from bulletin.front.app import Front
from bulletin.front.files import FileCache
from bulletin.live.hub import LiveHub
from tests.event_loop import run


class RecordingDjango:
    """Stands in for Django's ASGI application: answers 200 "django" and remembers each request."""

    def __init__(self):
        self.paths, self.bodies = [], []

    async def __call__(self, scope, receive, send):
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.paths.append(scope["path"])
                return  # Django's RequestAborted: nothing is sent
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.paths.append(scope["path"])
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"django"})


@pytest.fixture
def site(tmp_path):
    """public/ with a page (and its .gz and .br), a removed story, the generation file; media/ with uploads."""
    public, media = tmp_path / "public", tmp_path / "media"
    (public / "story").mkdir(parents=True)
    (public / "story" / "index.html").write_bytes(b"<p>story</p>" * 10)
    (public / "story" / "index.html.gz").write_bytes(b"gz-bytes")
    (public / "story" / "index.html.br").write_bytes(b"br-bytes")
    (public / "gone").mkdir()
    (public / "gone" / ".gone.html").write_bytes(b"removed")
    (public / "admin").mkdir()
    (public / "admin" / "index.html").write_bytes(b"never served: the admin needs its query")
    (public / ".generation").write_text("1")
    (media / "images").mkdir(parents=True)
    (media / "images" / "photo.png").write_bytes(b"\x89PNG")
    (media / "images" / "drawing.svg").write_bytes(b"<svg onload='alert(1)'/>")
    (media / "documents").mkdir()
    (media / "documents" / "page.html").write_bytes(b"<script>alert(1)</script>")
    django = RecordingDjango()
    front = Front(FileCache(public, media, max_bytes=1024 * 1024), LiveHub(), django, max_body_bytes=100)
    return front, django, public


def call(app, path, method="GET", query=b"", headers=(), body_chunks=(b"",)):
    """One request through ``app``: (status, headers as a dict, body)."""
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(body_chunks) - 1}
        for i, chunk in enumerate(body_chunks)
    ]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers],
    }
    run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_a_file_is_served_whatever_its_tracking_parameters(site):
    front, django, public = site
    for query in (b"", b"utm_source=x&fbclid=y", b"utm_medium=social&utm_campaign=a%20b"):
        status, headers, body = call(front, "/story/", query=query)
        assert status == 200 and body == (public / "story/index.html").read_bytes()
    assert django.paths == []


def test_query_needing_prefixes_reach_django_with_a_query(site):
    front, django, _ = site
    assert call(front, "/admin/", query=b"q=story")[2] == b"django"
    assert django.paths == ["/admin/"]


def test_misses_and_other_methods_reach_django(site):
    front, django, _ = site
    assert call(front, "/not-built/")[2] == b"django"
    assert call(front, "/story/", method="POST")[2] == b"django"
    assert django.paths == ["/not-built/", "/story/"]


def test_hidden_files_and_escapes_are_never_files(site):
    front, django, _ = site
    for path in ("/.generation", "/gone/.gone.html", "/../public/story/index.html", "/story/../.generation"):
        assert call(front, path)[2] == b"django"


def test_precompressed_variant_and_headers(site):
    front, *_ = site
    status, headers, body = call(front, "/story/", headers=[("Accept-Encoding", "gzip, br")])
    assert status == 200 and body == b"br-bytes" and headers["content-encoding"] == "br"
    assert headers["vary"] == "Accept-Encoding" and headers["content-length"] == "8"
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in headers["content-security-policy"]
    assert call(front, "/story/", headers=[("Accept-Encoding", "br;q=0, gzip")])[2] == b"gz-bytes"


def test_conditional_get_answers_304(site):
    front, *_ = site
    _, headers, _ = call(front, "/story/")
    status, again, body = call(front, "/story/", headers=[("If-None-Match", headers["etag"])])
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]


def test_head_has_the_length_and_no_body(site):
    front, *_ = site
    status, headers, body = call(front, "/story/", method="HEAD")
    assert status == 200 and body == b"" and headers["content-length"] == "120"


def test_a_single_range_gets_206_and_a_range_past_the_end_416(site):
    front, *_ = site
    status, headers, body = call(front, "/story/", headers=[("Range", "bytes=3-7")])
    assert status == 206 and body == b"story" and headers["content-range"] == "bytes 3-7/120"
    status, headers, body = call(front, "/story/", headers=[("Range", "bytes=500-")])
    assert status == 416 and headers["content-range"] == "bytes */120" and body == b""


def test_a_removed_story_answers_410(site):
    front, *_ = site
    assert call(front, "/gone/")[:3:2] == (410, b"removed")


@pytest.mark.parametrize(
    ("path", "attachment"),
    [
        ("/media/images/photo.png", False),
        ("/media/images/drawing.svg", True),  # SVG runs script: never inline
        ("/media/documents/page.html", True),
    ],
)
def test_uploads_are_never_active_content(site, path, attachment):
    front, *_ = site
    status, headers, _ = call(front, path)
    assert status == 200 and headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert "sandbox" in headers["content-security-policy"]
    assert (headers.get("content-disposition") == "attachment") is attachment


def test_a_large_file_is_sent_from_disk_with_ranges(site, monkeypatch):
    front, _, public = site
    monkeypatch.setattr(files, "MAX_CACHED_FILE", 10)
    monkeypatch.setattr(files, "CHUNK", 7)
    status, headers, body = call(front, "/story/")
    assert status == 200 and body == (public / "story/index.html").read_bytes()
    assert "content-encoding" not in headers
    assert call(front, "/story/", headers=[("Range", "bytes=-5")])[2] == b"y</p>"


def test_a_publish_makes_the_cache_forget(site):
    front, _, public = site
    call(front, "/story/")
    (public / "story" / "index.html").write_bytes(b"new")
    assert call(front, "/story/")[2] != b"new"  # still the cached copy
    (public / ".generation").write_text("2")
    os.utime(public / ".generation", ns=(0, 10**18))
    assert front.cache.forget_if_published()
    assert call(front, "/story/")[2] == b"new"


def test_a_body_over_the_limit_never_reaches_django(site):
    front, django, _ = site
    status, _, _ = call(front, "/upload/", method="POST", headers=[("Content-Length", "101")])
    assert status == 413 and django.paths == []
    # Chunked, with no length announced: Django sees the client leave, and the front answers 413.
    status, _, body = call(front, "/upload/", method="POST", body_chunks=(b"x" * 60, b"x" * 60))
    assert status == 413 and django.bodies == []
    assert call(front, "/upload/", method="POST", body_chunks=(b"x" * 50, b"x" * 50))[2] == b"django"


def test_lifespan_starts_and_stops_the_workers_tasks(site):
    front, *_ = site
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = []

    async def receive():
        await asyncio.sleep(0)
        return incoming.pop(0)

    async def send(message):
        sent.append(message["type"])

    run(front({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert len(front.tasks) == 2 and all(task.cancelled() or task.done() for task in front.tasks)


def test_a_media_url_that_is_no_file_is_404_without_django(site):
    front, django, _ = site
    assert call(front, "/media/images/" + "d" * 300 + ".png")[0] == 404
    assert call(front, "/media/images/missing.png", query=b"utm_source=x")[0] == 404
    assert django.paths == []


def test_a_body_granian_cannot_read_gets_400_not_500(site):
    front, django, _ = site
    sent = []

    async def receive():
        return {"type": "http.disconnect"}  # what granian says when it cannot read a chunked body

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/admin/login/", "query_string": b"", "headers": []}
    run(front(scope, receive, send))
    assert sent[0]["status"] == 400 and django.bodies == []
