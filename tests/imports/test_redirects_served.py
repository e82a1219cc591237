"""An imported site's old URLs answer 301 from the static servers, without the app: the front of `bulletin serve`
and nginx with the generated configuration, both reading the map files the publisher writes."""

from pathlib import Path
from urllib.parse import quote

from wagtail.contrib.redirects.models import Redirect

from bulletin.front.app import Front
from bulletin.front.files import FileCache
from bulletin.imports import wordpress
from bulletin.imports.loader import Loader, Options
from bulletin.live.hub import LiveHub
from bulletin.publishing import redirect_map
from bulletin.publishing.storage import FilesystemStorage
from bulletin.web.nginx import render_config
from tests.front.test_app import RecordingDjango, call
from tests.servers import free_port, request, running_nginx

WXR = Path(__file__).parent / "fixtures" / "wordpress-1.2.xml"

OLD_URLS = [
    ("/2019/03/river-rises/", b"", "/river-rises/"),
    ("/2019/03/river-rises", b"utm_source=x", "/river-rises/"),
    ("/", b"p=101", "/river-rises/"),
    ("/2020/01/02/бюджет/", b"", "/%D0%B1%D1%8E%D0%B4%D0%B6%D0%B5%D1%82/"),
    ("/author/olena/", b"", "/authors/olena/"),
    ("/category/city/", b"", "/sections/city/"),
    ("/tag/flood/", b"", "/tags/flood/"),
]


def test_old_urls_are_answered_by_the_front_and_nginx(db, tmp_path):
    Loader(Options()).run(wordpress.read(WXR))
    Redirect.objects.create(old_path="/river-rises-2", redirect_link="/elsewhere/")  # a live story's URL: it wins
    public, media = tmp_path / "public", tmp_path / "media"
    (public / "river-rises-2").mkdir(parents=True)
    (public / "river-rises-2" / "index.html").write_text("the story")
    (public / "index.html").write_text("the feed")
    media.mkdir()
    redirect_map.write(FilesystemStorage(public))

    django = RecordingDjango()
    front = Front(FileCache(public, media, max_bytes=1 << 20), LiveHub(), django, max_body_bytes=100)
    for path, query, location in OLD_URLS:
        status, headers, _ = call(front, path, query=query)
        assert (status, headers.get("location")) == (301, location), (path, query)
    assert call(front, "/river-rises-2/")[0] == 200 and call(front, "/", query=b"utm_source=x")[2] == b"the feed"
    assert django.paths == []

    port = free_port()
    config = render_config(public, media, upstream="127.0.0.1:9", listen=f"127.0.0.1:{port}")
    with running_nginx(tmp_path, port, config):
        for path, query, location in OLD_URLS:
            url = path + ("?" + query.decode() if query else "")
            status, headers, _ = request(port, quote(url, safe="/?=&"))
            assert (status, headers["Location"].removeprefix(f"http://127.0.0.1:{port}")) == (301, location), url
        assert request(port, "/river-rises-2/")[0] == 200


def test_nginx_starts_before_any_map_file_exists(tmp_path):
    public, media = tmp_path / "public", tmp_path / "media"
    public.mkdir()
    media.mkdir()
    (public / "index.html").write_text("the feed")
    port = free_port()
    with running_nginx(
        tmp_path, port, render_config(public, media, upstream="127.0.0.1:9", listen=f"127.0.0.1:{port}")
    ):
        assert request(port, "/")[0] == 200
