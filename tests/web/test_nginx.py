"""The documented nginx front (`bulletin nginx-config`) in a real nginx, proxying to a real `bulletin serve`."""

import gzip
import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.servers import SYNDICATION_FILES, check_syndication_file, free_port, request

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UNPUBLISH_OLDEST = """
from bulletin.newsroom.models import StoryPage
story = StoryPage.objects.in_feed().last().specific
story.unpublish()
print(story.url)
"""


@pytest.fixture(scope="module")
def nginx(server, tmp_path_factory):
    """nginx on a free port with Bulletin's generated server block, in front of the `server` fixture."""
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: apt-get install -y nginx (see .ci/run)")
    app_port, public, *_ = server
    root = tmp_path_factory.mktemp("nginx")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["BULLETIN_DATA_DIR"] = str(public.parent)
    block = subprocess.run([sys.executable, "-m", "bulletin", "nginx-config", "--listen", f"127.0.0.1:{port}",
                            "--upstream", f"127.0.0.1:{app_port}"], env=env, capture_output=True, text=True)
    assert block.returncode == 0, block.stderr
    temp = " ".join(f"{name}_temp_path {root}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (root / "nginx.conf").write_text(
        f"worker_processes 1; pid {root}/nginx.pid; error_log {root}/error.log warn; daemon off;\n"
        f"events {{ worker_connections 512; }}\n"
        f"http {{ include /etc/nginx/mime.types; default_type application/octet-stream; access_log off; {temp}\n"
        f"{block.stdout}\n}}\n")
    process = subprocess.Popen([NGINX, "-p", str(root), "-c", str(root / "nginx.conf")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            request(port, "/")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)
    yield port, public, server[2]
    process.terminate()
    process.wait(timeout=10)


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
    assert request(port, "/page/1/", headers={"If-None-Match": headers["ETag"]})[0] == 304


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


def test_nginx_proxies_misses_to_bulletin(nginx):
    port, *_ = nginx
    assert request(port, "/admin/login/")[0] == 200
    assert request(port, "/page/999/")[0] == 404


def test_nginx_answers_410_for_a_removed_story(nginx):
    port, _, manage = nginx
    url = manage(UNPUBLISH_OLDEST).splitlines()[-1]
    status, headers, body = request(port, url)
    assert status == 410 and b"This story was removed" in body


@pytest.mark.parametrize("path", ["/.generation", "/page/1/.gone.html", "/.publisher.lock"])
def test_nginx_hides_the_publishers_files(nginx, path):
    port, *_ = nginx
    assert request(port, path)[0] == 404
