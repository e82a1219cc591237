"""The documented nginx front (`bulletin nginx-config`) in a real nginx, proxying to a real `bulletin serve`."""

import gzip
import os
import subprocess
import sys
import time

import pytest

from bulletin.publishing.paths import file_for
from tests.servers import SYNDICATION_FILES, check_syndication_file, free_port, request, running_nginx

UNPUBLISH_OLDEST = """
from bulletin.newsroom.models import StoryPage
story = StoryPage.objects.in_feed().last().specific
story.unpublish()
print(story.url)
"""


@pytest.fixture(scope="module")
def nginx(server, tmp_path_factory):
    """nginx on a free port with Bulletin's generated server block, in front of the `server` fixture."""
    app_port, public, *_ = server
    root = tmp_path_factory.mktemp("nginx")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["BULLETIN_DATA_DIR"] = str(public.parent)
    block = subprocess.run(
        [
            sys.executable,
            "-m",
            "bulletin",
            "nginx-config",
            "--listen",
            f"127.0.0.1:{port}",
            "--upstream",
            f"127.0.0.1:{app_port}",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert block.returncode == 0, block.stderr
    with running_nginx(root, port, block.stdout):
        yield port, public, server[2]


def nginx_etag(path):
    """The ETag nginx gives a file it serves itself: its modification time and size in hex (`bulletin serve` sends
    a digest of the content instead, so an answer relayed to the app does not pass for one of nginx's)."""
    stat = path.stat()
    return f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'


@pytest.mark.parametrize(
    "path", ["/", "/page/1/", "/feeds/rss.xml", "/live/latest.json", "/live/banner.json", "/sitemap.xml", "/authors/"]
)
def test_nginx_answers_pages_from_the_files_itself(nginx, path):
    port, public, _ = nginx
    status, headers, body = request(port, path)
    assert status == 200 and body == (public / file_for(path)).read_bytes()
    assert headers["ETag"] == nginx_etag(public / file_for(path))


def test_nginx_serves_pages_from_public_with_the_policy_headers(nginx):
    port, public, _ = nginx
    status, headers, body = request(port, "/")
    assert status == 200 and body == (public / "index.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "s-maxage=5" in headers["Cache-Control"] and "script-src 'self'" in headers["Content-Security-Policy"]
    status, headers, _ = request(port, "/page/1/")
    assert status == 200 and "s-maxage=300" in headers["Cache-Control"]


def test_nginx_sends_the_gzip_variant_and_answers_304(nginx):
    port, public, _ = nginx
    status, headers, body = request(port, "/page/1/", headers={"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (public / "page/1/index.html").read_bytes()
    # Each variant has its own ETag, so a reader asks again with the same Accept-Encoding.
    assert request(port, "/page/1/", headers={"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})[0] == 304
    assert request(port, "/page/1/", headers={"If-None-Match": headers["ETag"]})[0] == 200


@pytest.mark.parametrize("path", ["/", "/page/1/", "/feeds/rss.xml", "/live/latest.json"])
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_nginx_tells_caches_that_answers_vary_by_encoding(nginx, path, encoding):
    """A CDN must not hand a stored gzip answer to a reader who did not ask for gzip: both answers say Vary,
    once."""
    port, _, _ = nginx
    status, headers, _ = request(port, path, headers={"Accept-Encoding": encoding})
    assert status == 200 and headers.get_all("Vary") == ["Accept-Encoding"]
    assert headers.get("Content-Encoding") == ("gzip" if encoding == "gzip" else None)


@pytest.mark.parametrize(("path", "content_type"), SYNDICATION_FILES)
def test_nginx_serves_feeds_and_sitemaps_with_their_types(nginx, path, content_type):
    port, public, _ = nginx
    check_syndication_file(port, public, path, content_type)


def test_nginx_serves_static_files_for_a_year(nginx):
    port, public, _ = nginx
    css = next((public / "static/bulletin").glob("bulletin.*.css")).name
    status, headers, _ = request(port, f"/static/bulletin/{css}")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("pattern", ["bulletin.*.css", "bulletin.*.js", "favicon.*.svg"])
def test_nginx_sends_the_gzip_variant_of_static_files(nginx, pattern):
    port, public, _ = nginx
    file = next((public / "static/bulletin").glob(pattern))
    status, headers, body = request(port, f"/static/bulletin/{file.name}", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers.get_all("Vary") == ["Accept-Encoding"]
    assert gzip.decompress(body) == file.read_bytes()
    status, headers, body = request(port, f"/static/bulletin/{file.name}", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in headers and headers.get_all("Vary") == ["Accept-Encoding"]
    assert body == file.read_bytes()


def test_nginx_proxies_misses_to_bulletin(nginx):
    port, *_ = nginx
    assert request(port, "/admin/login/")[0] == 200
    assert request(port, "/page/999/")[0] == 404


@pytest.mark.parametrize("query", ["utm_source=x&fbclid=y", "utm_medium=social&utm_campaign=launch"])
def test_nginx_serves_files_whatever_the_tracking_parameters(nginx, query):
    port, public, _ = nginx
    for path in ("/", "/page/1/", "/feeds/rss.xml"):
        status, headers, body = request(port, f"{path}?{query}")
        assert status == 200 and body == (public / file_for(path)).read_bytes()
        assert headers["ETag"] == nginx_etag(public / file_for(path))  # nginx's own: the app never saw it


def test_nginx_sends_query_needing_prefixes_to_the_app(nginx):
    port, public, _ = nginx
    decoy = public / "search" / "index.html"  # a file where the answer depends on the query
    decoy.parent.mkdir(exist_ok=True)
    decoy.write_text("a stale file")
    try:
        assert request(port, "/search/?q=sirens")[2] != b"a stale file"
        assert request(port, "/admin/login/?next=/admin/")[0] == 200
    finally:
        decoy.unlink()


@pytest.mark.parametrize(
    ("name", "attachment"),
    [("photo.png", False), ("photo.jpg", False), ("drawing.svg", True), ("page.html", True), ("notes.pdf", True)],
)
def test_nginx_never_serves_uploads_as_active_content(nginx, name, attachment):
    port, public, _ = nginx
    upload = public.parent / "media" / "test-uploads" / name
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"<svg onload='alert(1)'/>")
    status, headers, _ = request(port, f"/media/test-uploads/{name}")
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert (headers.get("Content-Disposition") == "attachment") is attachment


def test_nginx_answers_410_for_a_removed_story(nginx):
    port, _, manage = nginx
    url = manage(UNPUBLISH_OLDEST).splitlines()[-1]
    status, headers, body = request(port, url)
    assert status == 410 and b"This story was removed" in body


@pytest.mark.parametrize("path", ["/.generation", "/page/1/.gone.html", "/.publisher.lock"])
def test_nginx_hides_the_publishers_files(nginx, path):
    port, *_ = nginx
    assert request(port, path)[0] == 404


@pytest.fixture
def replace_page(nginx):
    """Replace a page file as the publisher does (a new file renamed over it); put the original back after."""
    _, public, _ = nginx
    originals = {}

    def replace(name, data):
        path = public / name
        originals.setdefault(path, path.read_bytes())
        temporary = path.with_name(".tmp-test-" + path.name)
        temporary.write_bytes(data)
        os.replace(temporary, path)

    yield replace
    for path, data in originals.items():
        replace(path.relative_to(public).as_posix(), data)


@pytest.mark.parametrize("path", ["/", "/feed/widget/", "/sections/war/", "/feeds/rss.xml", "/live/latest.json"])
def test_nginx_serves_a_republished_head_page_at_once(nginx, replace_page, path):
    """The pages every publish changes are never answered from nginx's cache of open files."""
    port, _, _ = nginx
    before = request(port, path)[2]  # nginx has the file open now
    replace_page(file_for(path), before + b"\n<!-- republished -->\n")
    assert request(port, path)[2] == before + b"\n<!-- republished -->\n"


def test_nginx_serves_a_replaced_story_whole_and_new_within_seconds(nginx, replace_page):
    port, public, _ = nginx
    story = next(
        p
        for p in public.iterdir()
        if p.is_dir()
        and (p / "index.html").exists()
        and p.name not in ("page", "feed", "feeds", "live", "sections", "tags", "authors", "sitemaps", "static")
    )
    url, old = f"/{story.name}/", (story / "index.html").read_bytes()
    assert request(port, url)[2] == old
    new = old.replace(b"</body>", b"<p>Correction appended.</p></body>")
    replace_page(file_for(url), new)
    deadline = time.monotonic() + 10  # nginx looks again within open_file_cache_valid (1 s)
    while (body := request(port, url)[2]) == old and time.monotonic() < deadline:
        time.sleep(0.1)
    assert body == new
