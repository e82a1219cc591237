"""`bulletin export`, then `bulletin import bulletin` into a new data folder, gives the same site: `bulletin build`
writes the same bytes into public/, and the original files come across unchanged. Real commands, real processes."""

import filecmp
import json
from pathlib import Path

import pytest

from tests.conftest import DEMO_NOW
from tests.embeds.provider_servers import POSTS
from tests.servers import bulletin, manage_code, server_env

#: Run in the source newsroom after the demo: what an editor's work adds that the demo does not have, each through
#: the code the admin runs (Wagtail's publish and unpublish, models' save); and an account with its secrets.
ENRICH = r"""
import datetime
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from bulletin.embeds.resolution import resolve
from bulletin.liveblogs.models import LiveBlogEntry, LiveBlogPage
from bulletin.newsroom.models import (
    Author, BreakingNews, Byline, Correction, NewsFeedPage, PublicationSettings, Section, StoryPage,
)

with transaction.atomic():
    feed = NewsFeedPage.objects.get()
    stories = list(StoryPage.objects.order_by("feed_position").specific())
    edited = stories[-1]
    edited.corrections.add(Correction(text="An earlier version misspelt a name.", corrected_at=timezone.now()))
    edited.updated_at = timezone.now()
    edited.save_revision().publish()
    stories[-3].unpublish()  # its URL is gone (410), and the feed has a gap
    Redirect.objects.create(old_path="/2019/03/old-story", redirect_page=stories[2])
    Redirect.objects.create(old_path="/elsewhere", redirect_link="https://example.org/", is_permanent=False)
    pdf = ContentFile(b"%PDF-1.4 report", name="report.pdf")
    report = get_document_model().objects.create(title="Report", file=pdf)
    author = Author.objects.order_by("pk").first()
    author.links.add(author.links.model(label="Bluesky", url="https://bsky.app/profile/example"))
    author.save()
    new = StoryPage(
        title="Parliament publishes the report", slug="parliament-publishes-the-report", summary="The report is out.",
        section=Section.objects.order_by("pk").last(),
        body=[("paragraph", f'<p>Read <a linktype="document" id="{report.pk}">the report</a>.</p>'),
              ("link_card", {"story": stories[0]})],
    )
    new.bylines = [Byline(author=author), Byline(author=Author.objects.order_by("pk").last())]
    feed.add_child(instance=new)
    new.save_revision().publish()
    # Embeds resolved from the local provider servers (as saving the block in the admin does), a thumbnail kept.
    for url in EMBEDS:
        resolve(url)
    embedded = StoryPage(
        title="Video from the scene", slug="video-from-the-scene", summary="Posts from the scene.",
        section=Section.objects.order_by("pk").first(),
        body=[("paragraph", "<p>What was posted.</p>"), *(("embed", url) for url in EMBEDS)],
    )
    embedded.bylines = [Byline(author=author)]
    feed.add_child(instance=embedded)
    embedded.save_revision().publish()
    blog = LiveBlogPage.objects.get(status=LiveBlogPage.LIVE)
    LiveBlogEntry.objects.create(
        blog=blog, headline="A post from the scene", body=[("embed", EMBEDS[0])], is_key=True,
        image=get_image_model().objects.order_by("pk").first(), image_alt="The street", author=author,
    )
    draft = StoryPage(title="A draft", slug="a-draft", summary="Not yet.", section=Section.objects.first(), live=False)
    draft.bylines = [Byline(author=author)]
    feed.add_child(instance=draft)
    draft.save_revision()
    later = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)
    scheduled = StoryPage(title="Later", slug="later", summary="Later.", section=Section.objects.first(), live=False)
    scheduled.bylines = [Byline(author=author)]
    feed.add_child(instance=scheduled)
    scheduled.go_live_at = later
    scheduled.save_revision(approved_go_live_at=later).publish()
    banner = BreakingNews.load()
    banner.text, banner.link = "Air-raid alert in Kyiv", "https://example.org/alert"
    banner.save()
    publication = PublicationSettings.load()
    publication.name, publication.x_account = "The Kyiv Bulletin", "@kyivbulletin"
    publication.save()
    user = get_user_model().objects.create_user("reporter-x9q7", "reporter-x9q7@example.org", "a-secret-password-123")
    author.user = user
    author.save()
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    device = TOTPDevice.objects.create(user=user, name="phone")
print(json.dumps({"hash": user.password, "session": session.session_key, "totp": device.key, "email": user.email}))
"""


#: Posts the local provider servers know: an oEmbed video with a thumbnail, and Telegram's page with its time.
EMBEDS = [POSTS["youtube"], POSTS["telegram"]]


def tree(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory, local_embed_providers):
    source, target = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("target")
    export, again = tmp_path_factory.mktemp("exports") / "first", tmp_path_factory.mktemp("exports") / "second"
    # "off": the publishes above write outbox rows only; `bulletin build` renders everything afterwards.
    # Both point at the local providers (a player's address comes from the setting); the target never asks them.
    providers = local_embed_providers.env()
    source_env, target_env = server_env(source, **providers), server_env(target, **providers)
    source_env["BULLETIN_PUBLISHER"] = target_env["BULLETIN_PUBLISHER"] = "off"
    # The demo as `make run` builds it (live blogs included), with fewer stories.
    bulletin(
        source_env, "demo", "--stories", "12", "--days", "3", "--now", DEMO_NOW.strftime("%Y-%m-%dT%H:%M%z"), "--quiet"
    )
    code = f"import json\nEMBEDS = {EMBEDS!r}\n" + ENRICH
    secrets = json.loads(manage_code(source_env, code).splitlines()[-1])
    bulletin(source_env, "build", "--workers", "1", "--quiet")
    exported = bulletin(source_env, "export", str(export), "--quiet")
    local_embed_providers.reset()
    imported = bulletin(target_env, "import", "bulletin", str(export), "--quiet")  # no database there yet
    bulletin(target_env, "build", "--workers", "1", "--quiet")
    bulletin(target_env, "export", str(again), "--quiet")
    secrets["provider_requests"] = list(local_embed_providers.requests)
    return source, target, export, again, secrets, exported, imported


def test_imported_newsroom_builds_the_same_public_tree_byte_for_byte(round_trip):
    source, target, *_ = round_trip
    files = tree(source / "public")
    assert files == tree(target / "public")
    assert len(files) > 100 and "index.html" in files
    generation = ".generation"  # the time of the build, for the front's file cache: always new
    different = [
        name
        for name in files
        if name != generation and not filecmp.cmp(source / "public" / name, target / "public" / name, shallow=False)
    ]
    assert different == []


def test_what_the_editor_added_reaches_the_imported_site(round_trip):
    source, target, *_ = round_trip
    public = target / "public"
    assert "The Kyiv Bulletin" in (public / "index.html").read_text()
    assert "parliament-publishes-the-report" in (public / "index.html").read_text()
    assert not (public / "a-draft").exists() and not (public / "later").exists()
    assert json.loads((public / "live" / "latest.json").read_text())["events"]  # the live events came across
    assert "Air-raid alert in Kyiv" in (public / "live" / "banner.json").read_text()  # and the banner


def test_original_files_come_across_unchanged(round_trip):
    source, target, *_ = round_trip
    originals = [name for name in tree(source / "media") if name.startswith(("original_images/", "documents/"))]
    assert any(name.startswith("documents/") for name in originals)
    for name in originals:
        assert filecmp.cmp(source / "media" / name, target / "media" / name, shallow=False), name


def test_exporting_the_imported_newsroom_gives_the_same_records(round_trip):
    *_, export, again, _secrets, _exported, _imported = round_trip
    assert (export / "newsroom.jsonl").read_bytes() == (again / "newsroom.jsonl").read_bytes()
    first, second = (json.loads((folder / "manifest.json").read_text()) for folder in (export, again))
    assert first["format_version"] == 3 and first["records"] == second["records"]


def test_secrets_are_never_exported(round_trip):
    *_, export, _again, secrets, _exported, _imported = round_trip
    assert secrets["hash"].startswith(("pbkdf2", "argon2", "md5", "bcrypt", "scrypt"))
    everything = b"".join(path.read_bytes() for path in export.rglob("*") if path.is_file())
    for name in ("hash", "session", "totp", "email"):
        assert secrets[name].encode() not in everything, name
    assert b"reporter-x9q7" not in everything


def test_summaries_count_what_was_moved(round_trip):
    *_, exported, imported = round_trip
    rows = {line.split()[0]: line.split()[1:] for line in imported.splitlines()[1:] if line and line[0].islower()}
    # 12 demo stories, its 2 live blogs and the 4 the editor added.
    assert rows["story"][0] == "18" and rows["redirect"][0] == "2" and rows["document"][0] == "1"
    assert rows["embed"][0] == "2" and rows["live_blog_entry"][0] == "225"
    assert "story" in exported and "18" in exported.split("story", 1)[1].splitlines()[0]


def test_embeds_render_from_the_export_without_asking_the_providers(round_trip):
    source, target, export, _again, secrets, *_ = round_trip
    assert secrets["provider_requests"] == []  # import and build of the target asked no provider
    page = (target / "public" / "video-from-the-scene" / "index.html").read_text()
    assert "/media/embeds/" in page  # the kept thumbnail, served from the imported media folder
    thumbnails = [name for name in tree(source / "media") if name.startswith("embeds/")]
    assert thumbnails
    for name in thumbnails:
        assert filecmp.cmp(source / "media" / name, target / "media" / name, shallow=False), name
    records = [json.loads(line) for line in (export / "newsroom.jsonl").read_text().splitlines()]
    embeds = [record for record in records if record["type"] == "embed"]
    assert sorted(record["url"] for record in embeds) == sorted(EMBEDS)
    assert any(record["snapshot"]["published_at"] for record in embeds)  # Telegram's time came across


def test_live_blogs_come_across_with_their_entries(round_trip):
    source, target, export, *_ = round_trip
    records = [json.loads(line) for line in (export / "newsroom.jsonl").read_text().splitlines()]
    blogs = {record["id"]: record["live_blog"] for record in records if record.get("live_blog")}
    assert sorted(blog["status"] for blog in blogs.values()) == ["ended", "live"]
    ended = next(blog for blog in blogs.values() if blog["status"] == "ended")
    assert ended["next_blog_id"] in blogs and ended["coverage_ended_at"]
    entries = [record for record in records if record["type"] == "live_blog_entry"]
    assert len(entries) == 200 + 24 + 1 and {entry["blog"] for entry in entries} == set(blogs)
    for folder in ("live-overnight-attack", "summit-vilnius-live"):
        pages = [name for name in tree(source / "public") if name.startswith(f"{folder}/")]
        assert len(pages) > 1, folder  # the head page and its numbered and key-events pages
        assert tree(target / "public" / folder) == tree(source / "public" / folder)
