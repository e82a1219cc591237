"""`bulletin import bulletin` in-process, on the test database (SQLite or PostgreSQL): the demo newsroom exported,
the newsroom emptied, then imported again, whole, damaged, or as a dry run."""

import datetime
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.images.models import Rendition
from wagtail.models import Page, Revision, Site

from bulletin.embeds.models import EmbedSnapshot
from bulletin.live.models import LiveEvent
from bulletin.liveblogs.models import LiveBlogEntry, LiveBlogPage
from bulletin.newsroom.models import (
    Author,
    AuthorLink,
    BreakingNews,
    Byline,
    CitedSource,
    Correction,
    ListingEntry,
    NewsFeedPage,
    PublicationSettings,
    Section,
    Sequence,
    StoryPage,
    Tag,
)
from bulletin.publishing.models import GoneURL
from bulletin.search import index
from bulletin.transfer import exporter, importer
from bulletin.transfer.format import ExportFileError
from tests.conftest import DEMO_STORIES

pytestmark = pytest.mark.django_db


def export_and_empty(tmp_path, settings):
    """Export the newsroom into tmp_path/export, then remove it from the database and give it a new, empty
    MEDIA_ROOT: an empty newsroom.

    Removed row by row in SQL: deleting pages through Wagtail would unpublish them and record 410s and live events,
    which are not what an empty newsroom has. Foreign keys are checked at commit, which a test never reaches.
    """
    folder = tmp_path / "export"
    exporter.export_newsroom(folder)
    settings.MEDIA_ROOT = tmp_path / "media"
    through = StoryPage.tags.through
    models = [LiveBlogEntry, LiveBlogPage, EmbedSnapshot, Embed]
    models += [ListingEntry, Byline, CitedSource, Correction, through, AuthorLink, StoryPage, NewsFeedPage, Revision]
    models += [Site, Redirect, GoneURL, LiveEvent, Sequence, Author, Section, Tag, Rendition, get_image_model()]
    models += [get_document_model()]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute(f"DELETE FROM {Page._meta.db_table} WHERE depth > 1")
        index.engine().clear(cursor)
    Page.objects.filter(depth=1).update(numchild=0)
    return folder


@pytest.fixture
def exported(tmp_path, settings):
    """The demo newsroom, exported; the newsroom is then empty."""
    return export_and_empty(tmp_path, settings)


def records(folder):
    return (folder / "newsroom.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)


def write_records(folder, lines):
    (folder / "newsroom.jsonl").write_text("".join(lines), encoding="utf-8")


def assert_newsroom_is_empty():
    assert not StoryPage.objects.exists() and not NewsFeedPage.objects.exists() and not Author.objects.exists()
    assert not get_image_model().objects.exists() and not Section.objects.exists()


def test_import_gives_back_the_same_newsroom(exported, tmp_path):
    result = importer.import_newsroom(exported)
    assert result.created["story"] == DEMO_STORIES and not result.dry_run
    exporter.export_newsroom(tmp_path / "again")
    assert (tmp_path / "again" / "newsroom.jsonl").read_bytes() == (exported / "newsroom.jsonl").read_bytes()
    assert Page.find_problems() == ([], [], [], [], [])


def test_imported_stories_have_a_first_revision_and_are_searchable(exported):
    importer.import_newsroom(exported)
    stories = StoryPage.objects.all()
    assert all(s.latest_revision_id and s.live_revision_id == s.latest_revision_id for s in stories)
    story = stories.order_by("feed_position").first()
    revision = Revision.objects.get(pk=story.latest_revision_id)
    # What Wagtail's save_revision() would store for the imported story (as JSON, the way Revision keeps it).
    saved_by_wagtail = json.loads(
        json.dumps(StoryPage.objects.get(pk=story.pk).serializable_data(), cls=DjangoJSONEncoder)
    )
    assert revision.content == saved_by_wagtail | {"latest_revision": None, "live_revision": None}
    assert revision.as_object().title == story.title and revision.as_object().bylines.count() == story.bylines.count()
    assert index.search(story.title.split()[-1]).total >= 1


def test_new_rows_after_an_import_get_new_ids(exported):
    """Ids are kept; PostgreSQL's sequences must then be moved past them, or the next row would collide."""
    importer.import_newsroom(exported)
    highest = max(Section.objects.values_list("pk", flat=True))
    assert Section.objects.create(name="Science", slug="science").pk > highest
    feed_page = NewsFeedPage.objects.get()
    story = StoryPage(
        title="After the import", slug="after-the-import", summary="New.", section=Section.objects.first()
    )
    feed_page.add_child(instance=story)
    assert story.pk > max(StoryPage.objects.exclude(pk=story.pk).values_list("pk", flat=True))


def test_dry_run_reports_the_same_and_writes_nothing(exported, tmp_path):
    dry = importer.import_newsroom(exported, dry_run=True)
    assert dry.dry_run and dry.created["story"] == DEMO_STORIES
    assert_newsroom_is_empty()
    assert not default_storage.exists("original_images")
    real = importer.import_newsroom(exported)
    assert real.table() == dry.table()  # the same summary, row for row


def test_a_newsroom_with_content_is_refused(exported):
    importer.import_newsroom(exported)
    with pytest.raises(importer.NewsroomNotEmpty, match="already"):
        importer.import_newsroom(exported)
    assert StoryPage.objects.count() == DEMO_STORIES


def test_a_line_cut_short_names_the_line_and_changes_nothing(exported):
    lines = records(exported)
    story_line = next(n for n, line in enumerate(lines) if '"type":"story"' in line) + 5
    write_records(exported, lines[:story_line] + [lines[story_line][:40]])
    publication = PublicationSettings.load().name
    with pytest.raises(ExportFileError, match=rf"line {story_line + 1}: the line is cut short"):
        importer.import_newsroom(exported)
    assert_newsroom_is_empty()
    assert PublicationSettings.load().name == publication
    first_image = json.loads(next(line for line in lines if '"type":"image"' in line))
    assert not default_storage.exists(first_image["file"])  # the image files copied are removed again


def test_a_file_cut_at_a_line_boundary_is_still_truncated(exported):
    lines = records(exported)
    write_records(exported, lines[:-3])
    with pytest.raises(ExportFileError, match=r"holds \d+ counter records but manifest.json says \d+"):
        importer.import_newsroom(exported)
    assert_newsroom_is_empty()


def test_invalid_json_names_the_line(exported):
    lines = records(exported)
    lines[3] = lines[3].replace('"', "'", 2)
    write_records(exported, lines)
    with pytest.raises(ExportFileError, match=r"line 4: not valid JSON"):
        importer.import_newsroom(exported)


def test_a_story_that_names_a_missing_section_is_named(exported):
    lines = records(exported)
    number = next(n for n, line in enumerate(lines) if '"type":"story"' in line)
    story = json.loads(lines[number])
    story["section"] = 9999
    lines[number] = json.dumps(story, ensure_ascii=False) + "\n"
    write_records(exported, lines)
    with pytest.raises(
        ExportFileError, match=rf"line {number + 1} \(story {story['id']} “{story['slug']}”\): its section"
    ):
        importer.import_newsroom(exported)
    assert_newsroom_is_empty()


def test_a_story_with_a_missing_field_or_a_bad_value_is_named(exported):
    lines = records(exported)
    number = next(n for n, line in enumerate(lines) if '"type":"story"' in line)
    story = json.loads(lines[number])
    del story["summary"]
    lines[number] = json.dumps(story) + "\n"
    write_records(exported, lines)
    with pytest.raises(ExportFileError, match=rf"story {story['id']} .*missing field 'summary'"):
        importer.import_newsroom(exported)
    story["summary"], story["title"] = "A summary.", "x" * 300
    lines[number] = json.dumps(story) + "\n"
    write_records(exported, lines)
    with pytest.raises(ExportFileError, match=rf"story {story['id']} .*title: Ensure this value has at most 255"):
        importer.import_newsroom(exported)
    assert_newsroom_is_empty()


def test_a_damaged_image_file_is_named(exported):
    image = json.loads(next(line for line in records(exported) if '"type":"image"' in line))
    path = exported / "media" / image["file"]
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ExportFileError, match=rf"image {image['id']} .*does not match its sha1"):
        importer.import_newsroom(exported)
    assert_newsroom_is_empty()


def test_records_out_of_order_are_refused(exported):
    lines = records(exported)
    write_records(exported, [*lines[:2], lines[-1], *lines[2:]])  # a counter, then the second image
    with pytest.raises(ExportFileError, match="line 4: a image record after counter records"):
        importer.import_newsroom(exported)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "manifest.json is missing"),
        ("{not json", "not valid JSON"),
        ('{"format": "something-else"}', "does not describe a Bulletin export"),
        ('{"format": "bulletin-export", "format_version": 4, "records": {}}', "format_version 4"),
    ],
)
def test_a_bad_manifest_is_refused(exported, manifest, message):
    if manifest is None:
        (exported / "manifest.json").unlink()
    else:
        (exported / "manifest.json").write_text(manifest)
    with pytest.raises(ExportFileError, match=message):
        importer.import_newsroom(exported)


def test_export_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(ExportFileError, match="not empty"):
        exporter.export_newsroom(tmp_path)


def test_export_refuses_a_page_type_the_format_does_not_carry(tmp_path):
    Page.get_first_root_node().add_child(instance=Page(title="About us", slug="about-us"))
    with pytest.raises(ExportFileError, match="“About us” .* does not carry"):
        exporter.export_newsroom(tmp_path / "export")


def test_a_scheduled_story_stays_scheduled(tmp_path, settings, feed_page):
    go_live = timezone.now() + datetime.timedelta(days=3)
    story = StoryPage(title="Scheduled", slug="scheduled", summary="Later.", section=Section.objects.first())
    story.live = False
    story.bylines = [Byline(author=Author.objects.first())]
    feed_page.add_child(instance=story)
    story.go_live_at = go_live
    story.save_revision(approved_go_live_at=go_live).publish()
    folder = export_and_empty(tmp_path, settings)
    importer.import_newsroom(folder)
    imported = StoryPage.objects.get(slug="scheduled")
    assert not imported.live and imported.go_live_at == go_live and imported.live_revision is None
    assert Revision.objects.get(pk=imported.latest_revision_id).approved_go_live_at == go_live


def test_the_command_prints_the_table_and_a_clear_error(exported):
    from click.testing import CliRunner

    from bulletin.cli import cli

    dry = CliRunner().invoke(cli, ["import", "bulletin", "--dry-run", "--quiet", str(exported)])
    assert dry.exit_code == 0, dry.output
    assert (
        "story" in dry.output and f"{DEMO_STORIES:>9}" in dry.output and "Dry run: nothing was written." in dry.output
    )
    lines = records(exported)
    write_records(exported, lines[:-1])
    failed = CliRunner().invoke(cli, ["import", "bulletin", "--quiet", str(exported)])
    assert failed.exit_code == 1
    assert "holds" in failed.output and "Nothing was imported; the newsroom is as it was." in failed.output
    assert_newsroom_is_empty()


@pytest.fixture
def exported_with_live_blogs_and_embeds(tmp_path, settings, feed_page):
    """The demo newsroom with two live blogs (one ended, sending readers to the other), an entry, and a resolved
    embed with its kept thumbnail, exported; the newsroom is then empty."""
    live = LiveBlogPage(title="Live", slug="live-now", summary="Live.", section=Section.objects.first())
    ended = LiveBlogPage(title="Ended", slug="ended-blog", summary="Over.", section=Section.objects.first())
    for blog in (live, ended):
        feed_page.add_child(instance=blog)
    live.save_revision().publish()
    ended.status, ended.next_blog, ended.key_developments = LiveBlogPage.ENDED, live, "One\nTwo"
    ended.save_revision().publish()
    url = "https://www.youtube.com/watch?v=M7lc1UVf-VE"
    LiveBlogEntry.objects.create(blog=live, headline="First", body=[("embed", url)], is_key=True)
    embed = Embed.objects.create(url=url, hash="0" * 32, type="video", html="<iframe></iframe>", title="A video")
    snapshot = EmbedSnapshot(embed=embed, thumbnail_width=4, thumbnail_height=3)
    snapshot.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8 a thumbnail"), save=False)
    snapshot.save()
    return export_and_empty(tmp_path, settings)


def test_live_blogs_entries_and_embeds_come_back(exported_with_live_blogs_and_embeds, tmp_path):
    folder = exported_with_live_blogs_and_embeds
    result = importer.import_newsroom(folder)
    assert result.created["live_blog_entry"] == 1 and result.created["embed"] == 1
    ended = LiveBlogPage.objects.get(slug="ended-blog")
    assert ended.status == "ended" and ended.coverage_ended_at and ended.next_blog.specific.slug == "live-now"
    assert ended.key_development_lines == ["One", "Two"]
    assert Revision.objects.get(pk=ended.latest_revision_id).as_object().status == "ended"
    entry = LiveBlogEntry.objects.get()
    assert entry.blog.slug == "live-now" and entry.is_key and entry.body[0].value.startswith("https://www.youtube")
    snapshot = EmbedSnapshot.objects.select_related("embed").get()
    assert snapshot.embed.title == "A video" and snapshot.thumbnail.read() == b"\xff\xd8 a thumbnail"
    exporter.export_newsroom(tmp_path / "again")
    assert (tmp_path / "again" / "newsroom.jsonl").read_bytes() == (folder / "newsroom.jsonl").read_bytes()
    assert Page.find_problems() == ([], [], [], [], [])


def _change_record(folder, kind, change):
    lines = records(folder)
    for number, line in enumerate(lines):
        record = json.loads(line)
        if record["type"] == kind:
            change(record)
            lines[number] = json.dumps(record) + "\n"
            break
    write_records(folder, lines)


def test_an_entry_of_a_page_that_is_no_live_blog_is_named(exported_with_live_blogs_and_embeds):
    folder = exported_with_live_blogs_and_embeds
    story = next(json.loads(line)["id"] for line in records(folder) if '"type":"story"' in line)
    _change_record(folder, "live_blog_entry", lambda record: record.update(blog=story))
    with pytest.raises(ExportFileError, match=f"live_blog_entry .*its blog {story} is not a live blog"):
        importer.import_newsroom(folder)
    assert_newsroom_is_empty()
    assert not LiveBlogEntry.objects.exists()


def test_a_missing_embed_thumbnail_is_named(exported_with_live_blogs_and_embeds):
    folder = exported_with_live_blogs_and_embeds
    (thumbnail,) = (folder / "media" / "embeds").iterdir()
    thumbnail.unlink()
    with pytest.raises(ExportFileError, match=rf"embed \d+ .*{thumbnail.name} is missing"):
        importer.import_newsroom(folder)
    assert_newsroom_is_empty()
    assert not Embed.objects.exists()


def test_a_format_version_1_export_is_still_read(exported):
    """Version 2 only added record types: a version 1 export (no embeds, no live blogs) imports as it did."""
    manifest = json.loads((exported / "manifest.json").read_text())
    manifest["format_version"] = 1
    (exported / "manifest.json").write_text(json.dumps(manifest))
    assert importer.import_newsroom(exported).created["story"] == DEMO_STORIES


def test_the_banner_and_a_canonical_url_come_back(tmp_path, settings):
    """Format version 3: the breaking-news banner (with an end time that has passed since: kept as it was, the
    scheduler takes it down) and a story's canonical URL."""
    ended = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)
    banner = {"text": "Air-raid alert", "link": "https://example.org/a", "ends_at": ended}
    BreakingNews.objects.update_or_create(defaults=banner)
    story = StoryPage.objects.order_by("pk").first()
    StoryPage.objects.filter(pk=story.pk).update(canonical_url="https://elsewhere.example/original/")
    folder = export_and_empty(tmp_path, settings)
    BreakingNews.objects.all().delete()
    importer.import_newsroom(folder)
    banner = BreakingNews.objects.get()
    assert (banner.text, banner.link, banner.ends_at) == ("Air-raid alert", "https://example.org/a", ended)
    assert StoryPage.objects.get(pk=story.pk).canonical_url == "https://elsewhere.example/original/"


def test_a_format_version_2_export_is_read_without_banner_and_canonical_urls(exported):
    """Version 3 added the breaking_news record and a story's canonical_url: a version 2 export has neither, and
    imports with the banner down and every story canonical at its own address."""
    manifest = json.loads((exported / "manifest.json").read_text())
    manifest["format_version"] = 2
    del manifest["records"]["breaking_news"]
    (exported / "manifest.json").write_text(json.dumps(manifest))
    lines = []
    for line in records(exported):
        record = json.loads(line)
        if record["type"] == "breaking_news":
            continue
        record.pop("canonical_url", None)
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    write_records(exported, lines)
    BreakingNews.objects.all().delete()
    assert importer.import_newsroom(exported).created["story"] == DEMO_STORIES
    assert not BreakingNews.objects.exists()
    assert not StoryPage.objects.exclude(canonical_url="").exists()
