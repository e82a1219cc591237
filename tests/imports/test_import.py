"""`bulletin import wordpress|ghost`: real export formats in, stories, people, sections, redirects out."""

import io
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image as PillowImage
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page

from bulletin.imports import ghost, wordpress
from bulletin.imports.loader import Loader, Options
from bulletin.imports.media import MediaSource
from bulletin.imports.models import ImportedObject
from bulletin.imports.records import ExportError, Site
from bulletin.newsroom.models import Author, ListingEntry, Section, StoryPage, Tag

FIXTURES = Path(__file__).parent / "fixtures"
WXR = FIXTURES / "wordpress-1.2.xml"
GHOST = FIXTURES / "ghost-5.json"


def _jpeg(size=(64, 48)):
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media(tmp_path):
    folder = tmp_path / "media-export"
    (folder / "wp-content/uploads/2019/03").mkdir(parents=True)
    (folder / "wp-content/uploads/2019/03/flood.jpg").write_bytes(_jpeg())
    (folder / "content/images/2024/05").mkdir(parents=True)
    (folder / "content/images/2024/05/station.jpg").write_bytes(_jpeg())
    return folder


def run(reader, path, media=None, **options):
    source = MediaSource(media, download=False) if media else None
    return Loader(Options(media=source, **options)).run(reader(path))


def story(source_id, source="wordpress:https://kyiv-evening.example"):
    record = ImportedObject.objects.get(source=source, kind="story", source_id=source_id)
    return StoryPage.objects.get(pk=record.object_id)


def test_wordpress_posts_become_stories_with_their_blocks(db, media):
    summary = run(wordpress.read, WXR, media)
    assert summary.count("story", "created") == 7  # 101–107; the page, menu item and trashed post are not stories
    assert summary.count("page", "skipped") == 1 and summary.count("comment", "skipped") == 1
    river = story("101")
    assert river.live and river.slug == "river-rises" and river.title == "River rises in Podil"
    assert river.summary == "The river rose by two metres."
    assert river.search_description == "Flood in Podil: what we know"
    assert river.first_published_at.isoformat() == "2019-03-04T10:20:30+00:00"
    assert river.updated_at.isoformat() == "2019-03-05T06:00:00+00:00"
    kinds = [block.block_type for block in river.body]
    assert kinds == ["paragraph", "paragraph", "image", "heading", "quote", "paragraph", "embed", "paragraph"]
    first, second = river.body[0].value.source, river.body[1].value.source
    assert "<strong>two metres</strong>" in first and 'href="https://example.org/report"' in first
    assert "javascript" not in second and "onclick" not in second and "script" not in second
    image = river.body[2].value
    assert image["caption"] == "The embankment at noon" and image["alt"] == "Water in the streets"
    assert river.body[4].value["text"] == "We are ready." and river.body[4].value["attribution"] == "The mayor"
    assert "<li>Schools closed</li>" in river.body[5].value.source
    assert river.body[6].value == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"  # a URL alone on its line: oEmbed
    assert "]]> with a CDATA end inside." in river.body[7].value.source.replace("]]&gt;", "]]>")
    assert river.feature_image.title and river.feature_image_alt == "Water in the streets of Podil"
    assert river.section.name == "City" and [t.slug for t in river.tags.all()] == ["flood"]
    assert [a.name for a in river.authors] == ["Olena Kovalenko"]
    assert river.latest_revision is not None and river.live_revision == river.latest_revision
    assert Page.find_problems() == ([], [], [], [], [])


def test_wordpress_awkward_posts(db, media):
    summary = run(wordpress.read, WXR, media)
    budget = story("102")
    assert len(budget.title) <= 255 and budget.title.endswith("…")
    assert budget.slug == "бюджет" and budget.section.name == "Економіка"
    assert [t.slug for t in budget.tags.all()] == ["city"]  # a second category is kept as a tag
    text = budget.body[0].value.source
    assert "𝔘 😀" in text and "𠀀" in text and "\U000e0041" in text
    kinds = [block.block_type for block in budget.body]
    assert kinds == ["paragraph", "embed", "link_card", "quote"]  # the missing image is left out
    assert budget.body[1].value == "https://x.com/kyiv/status/1"  # Gutenberg's embed block of an X post
    assert budget.body[2].value["url"] == "https://other-paper.example/2020/01/story/"
    assert summary.count("image", "failed") == 1
    untitled = story("103")
    assert untitled.title == "Untitled" and untitled.slug == "river-rises-2" and untitled.live
    for hidden in ("104", "105"):
        assert not story(hidden).live and story(hidden).first_published_at is None
    assert not story("106").live
    scheduled = story("107")
    assert not scheduled.live and scheduled.go_live_at.year == 2099
    assert scheduled.latest_revision.approved_go_live_at == scheduled.go_live_at
    table = summary.table()
    assert "imported as a draft: password-protected" in table and "imported as a draft: private" in table


def test_wordpress_old_urls_redirect(db, client):
    run(wordpress.read, WXR)
    river = story("101")
    for old in ("/2019/03/river-rises/", "/?p=101", "/2019/03/04/river-rises/"):
        redirect = Redirect.objects.get(old_path=Redirect.normalise_path(old))
        assert redirect.is_permanent and redirect.redirect_link == river.url
    assert client.get("/2019/03/river-rises/").headers["Location"] == river.url
    for old, new in (
        ("/author/olena/", "/authors/olena/"),
        ("/category/city/", "/sections/city/"),
        ("/tag/flood/", "/tags/flood/"),
    ):
        assert Redirect.objects.get(old_path=Redirect.normalise_path(old)).redirect_link == new


def test_a_canonical_url_elsewhere_is_honoured_in_the_head(db, client):
    """Yoast's canonical URL (an explicit choice of the author) sends search engines and the JSON-LD to the
    original; the meta description is kept in Wagtail's SEO field and the summary stays the excerpt."""
    run(wordpress.read, WXR)
    river = story("101")
    original = "https://partner.example/2019/03/river-rises-original/"
    assert river.canonical_url == original
    assert river.seo_title == ""  # Yoast's title template, not a title: its %%variables%% are not kept
    page = client.get(river.url).content.decode()
    assert f'<link rel="canonical" href="{original}">' in page
    assert f'"mainEntityOfPage": "{original}"' in page and f'content="{original}"' in page  # JSON-LD and og:url
    assert "<title>River rises in Podil" in page  # the headline, not an SEO title


def test_a_canonical_url_on_the_old_site_itself_is_not_kept(db):
    """The old site's own address for a post now redirects here: the story's own address is canonical."""
    loader = Loader(Options())
    loader.site = Site(source="wordpress:https://kyiv-evening.example", url="https://kyiv-evening.example")
    assert loader._canonical("https://KYIV-evening.example/2019/03/river-rises/") == ""
    assert loader._canonical("__GHOST_URL__/river/") == "" and loader._canonical("javascript:alert(1)") == ""
    assert loader._canonical(" https://partner.example/a/ ") == "https://partner.example/a/"


def test_wordpress_1_0(db):
    summary = run(wordpress.read, FIXTURES / "wordpress-1.0.xml")
    assert summary.count("story", "created") == 1
    hello = story("7", source="wordpress:http://old-blog.example")
    assert [b.value.source for b in hello.body] == [
        "<p>First post.</p>",
        "<p>Second paragraph with a line<br>break.</p>",
    ]
    assert hello.section.slug == "news" and [t.slug for t in hello.tags.all()] == ["history"]
    assert [a.slug for a in hello.authors] == ["admin"]


def test_ghost_lexical_mobiledoc_and_html_bodies(db, media):
    summary = run(ghost.read, GHOST, media)
    power = story("5e1a00000000000000000001", source="ghost")
    assert [a.name for a in power.authors] == ["Iryna Shevchenko", "Taras Bondar"]
    assert power.section.name == "Energy" and [t.slug for t in power.tags.all()] == ["kyiv"]
    assert not Tag.objects.filter(name__startswith="#").exists()
    assert power.seo_title == "Power station hit | Evening" and power.feature_image_alt == "Smoke over the station"
    assert power.feature_image_caption == "Photo: Evening" and power.feature_image is not None
    kinds = [b.block_type for b in power.body]
    assert kinds == ["paragraph", "heading", "paragraph", "image", "link_card", "embed", "paragraph", "quote"]
    assert power.body[5].value == "https://www.youtube.com/watch?v=aBcDeFgHiJk"
    assert "<strong>power station</strong>" in power.body[0].value.source
    assert power.body[3].value["caption"] == "The station on Monday"
    assert power.body[3].value["alt"] == "The station after the strike"  # Ghost's image card says "alt"
    card = power.body[4].value
    assert card["title"] == "How the grid survives" and card["publisher"] == "Other Paper"
    raw = power.body[6].value.source
    assert "script" not in raw and "onerror" not in raw and "<b>HTML</b>" in raw
    archive = story("5e1a00000000000000000002", source="ghost")
    # Its image card's file is not in --media: left out (and counted).
    assert [b.block_type for b in archive.body] == ["paragraph", "heading", "paragraph", "link_card", "quote"]
    assert "<strong>bold</strong>" in archive.body[0].value.source and "<br>" in archive.body[0].value.source
    assert archive.section.slug == "kyiv"
    assert archive.canonical_url == "https://partner.example/2020/archive-original/"
    assert power.canonical_url == ""  # Ghost's null: the story's own address is canonical
    markdown = story("5e1a00000000000000000003", source="ghost")  # a markdown card: Ghost's html instead
    assert [b.block_type for b in markdown.body] == ["heading", "paragraph", "link_card"]
    assert markdown.body[2].value["title"] == "Bookmarked" and markdown.section.slug == "news"
    for hidden in ("5e1a00000000000000000004", "5e1a00000000000000000005", "5e1a00000000000000000006"):
        assert not story(hidden, source="ghost").live
    assert story("5e1a00000000000000000007", source="ghost").go_live_at.year == 2099
    assert summary.count("page", "skipped") == 1 and summary.count("member", "skipped") == 2
    untitled = story("5e1a00000000000000000009", source="ghost")
    assert untitled.title == "Untitled" and untitled.slug.startswith("post-")
    author = Author.objects.get(slug="iryna")
    assert author.user is None and author.bio == "Covers energy."
    assert sorted(author.links.values_list("url", flat=True)) == ["https://iryna.example", "https://x.com/iryna"]


def test_ghost_secrets_are_written_nowhere(db, settings, tmp_path):
    run(ghost.read, GHOST)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    everything = dump.getvalue()
    for secret in (
        "PASSWORDHASHSECRET",
        "APIKEYSECRET",
        "SESSIONSECRET",
        "SETTINGSECRET",
        "member@example.net",
        "iryna@ghost-site.example",
    ):
        assert secret not in everything
    for path in Path(settings.MEDIA_ROOT).rglob("*") if Path(settings.MEDIA_ROOT).exists() else []:
        if path.is_file():
            assert b"PASSWORDHASHSECRET" not in path.read_bytes()


def test_importing_again_changes_nothing_and_a_newer_export_updates(db, tmp_path):
    first = run(wordpress.read, WXR)
    counts = (StoryPage.objects.count(), Redirect.objects.count(), Author.objects.count(), ListingEntry.objects.count())
    again = run(wordpress.read, WXR)
    assert again.count("story", "unchanged") == first.count("story", "created") and again.count("story", "created") == 0
    assert (
        StoryPage.objects.count(),
        Redirect.objects.count(),
        Author.objects.count(),
        ListingEntry.objects.count(),
    ) == counts
    newer = tmp_path / "newer.xml"
    newer.write_text(WXR.read_text().replace("River rises in Podil", "River rises in Podil and Obolon"))
    update = run(wordpress.read, newer)
    assert update.count("story", "updated") == 1 and update.count("story", "unchanged") == 6
    assert story("101").title == "River rises in Podil and Obolon" and story("101").live


def test_dry_run_writes_nothing(db):
    before = (
        StoryPage.objects.count(),
        Section.objects.count(),
        Redirect.objects.count(),
        ImportedObject.objects.count(),
    )
    summary = run(wordpress.read, WXR, dry_run=True)
    assert summary.count("story", "created") == 7
    assert (
        StoryPage.objects.count(),
        Section.objects.count(),
        Redirect.objects.count(),
        ImportedObject.objects.count(),
    ) == before


def test_imported_stories_take_their_place_by_date(db):
    newest_before = StoryPage.objects.in_feed().first()
    run(wordpress.read, WXR)
    feed = list(StoryPage.objects.in_feed().values_list("first_published_at", flat=True))
    assert feed == sorted(feed, reverse=True) and StoryPage.objects.in_feed().first() == newest_before
    positions = list(StoryPage.objects.in_feed().values_list("feed_position", flat=True))
    assert sorted(positions) == list(range(1, len(positions) + 1))
    city = Section.objects.get(slug="city")
    entries = ListingEntry.objects.filter(kind="section", collection_id=city.pk).order_by("position")
    dates = [e.story.first_published_at for e in entries]
    assert dates == sorted(dates)


def test_imported_stories_are_searchable(db, client):
    run(wordpress.read, WXR)
    from bulletin.search import index

    assert story("101").pk in index.search("Podil").story_ids


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("<rss><channel><item><title>cut", "line 1"),
        ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><rss>&b;</rss>', "refused"),
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>&x;</channel></rss>',
            "refused",
        ),
        ("<html><body>not an export</body></html>", "not a WordPress export"),
    ],
)
def test_malformed_truncated_or_hostile_wordpress_files_leave_the_newsroom_as_it_was(db, tmp_path, content, expected):
    path = tmp_path / "bad.xml"
    path.write_text(content)
    before = (StoryPage.objects.count(), Section.objects.count(), Author.objects.count())
    with pytest.raises(ExportError, match=expected):
        run(wordpress.read, path)
    assert (StoryPage.objects.count(), Section.objects.count(), Author.objects.count()) == before


def test_a_truncated_ghost_file_names_where_and_changes_nothing(db, tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(GHOST.read_bytes()[:-3000])
    before = StoryPage.objects.count()
    with pytest.raises(ExportError, match="near byte"):
        run(ghost.read, path)
    assert StoryPage.objects.count() == before


def test_images_missing_from_media_are_reported_and_downloads_refuse_loopback(db, tmp_path):
    source = MediaSource(tmp_path, site_url="http://127.0.0.1:9/")
    from bulletin.imports.media import MissingImage

    with pytest.raises(MissingImage, match="private or loopback"):
        source.read("http://127.0.0.1:9/wp-content/uploads/x.jpg")
    with pytest.raises(MissingImage, match="not allowed"):
        source.read("http://images.example.net/x.jpg")


def test_an_image_bomb_is_refused_like_an_upload(db, tmp_path, settings):
    from bulletin.imports.media import MissingImage, save_image

    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 1000
    with pytest.raises(MissingImage):
        save_image("big.jpg", _jpeg((100, 100)), "Big")
    with pytest.raises(MissingImage):
        save_image("page.jpg", b"<html><script>alert(1)</script></html>", "Not an image")
    assert not get_image_model().objects.filter(title__in=["Big", "Not an image"]).exists()


def test_cli_import_into_a_new_database(tmp_path, media):
    import subprocess
    import sys

    env = {"BULLETIN_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "BULLETIN_SECRET_KEY": "x" * 50}
    done = subprocess.run(
        [sys.executable, "-m", "bulletin", "import", "wordpress", str(WXR), "--media", str(media), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "story" in done.stdout and "created" in done.stdout and "Run `bulletin build`" in done.stdout
    database = sqlite3.connect(tmp_path / "data" / "bulletin.sqlite3")
    assert database.execute("SELECT COUNT(*) FROM newsroom_storypage").fetchone()[0] == 7
    bad = tmp_path / "bad.xml"
    bad.write_text("<rss><channel><item>")
    failed = subprocess.run(
        [sys.executable, "-m", "bulletin", "import", "wordpress", str(bad), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert failed.returncode == 1 and "line 1" in failed.stderr and "as it was" in failed.stderr
    assert database.execute("SELECT COUNT(*) FROM newsroom_storypage").fetchone()[0] == 7


@pytest.fixture
def image_server():
    """A real HTTP server on loopback: /photo.jpg, /big.jpg (large), /away (a redirect to another host)."""
    import http.server
    import threading

    photo = _jpeg()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/away":
                self.send_response(302)
                self.send_header("Location", "http://images.example.net/x.jpg")
                self.end_headers()
                return
            body = photo if self.path == "/photo.jpg" else photo * 40 if self.path == "/big.jpg" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "image/jpeg")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_images_are_downloaded_within_limits(db, settings, image_server):
    from bulletin.imports.media import MissingImage, save_image

    source = MediaSource(None, site_url=image_server, allow_private=True)
    name, data = source.read(f"{image_server}/photo.jpg")
    assert name == "photo.jpg" and save_image(name, data, "Downloaded").width == 64
    with pytest.raises(MissingImage, match="answered 404"):
        source.read(f"{image_server}/nothing.jpg")
    with pytest.raises(MissingImage, match="not allowed"):
        source.read(f"{image_server}/away")  # the redirect's target is checked like the first URL
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = len(_jpeg()) * 10
    with pytest.raises(MissingImage, match="larger than"):
        MediaSource(None, site_url=image_server, allow_private=True).read(f"{image_server}/big.jpg")
