"""`bulletin export DIR`: write the whole newsroom into an export folder (format.py, docs/exporting.md).

Records keep their ids: feed GUIDs, the News Feed's items, rich-text links and StreamField blocks name stories,
images and documents by id, so an import that kept other ids would give a different site. Accounts are not
part of a newsroom's content and are never written: no users, password hashes, sessions, API keys, two-factor
devices or login attempts; a story's owner and an author's linked login are left out too.
"""

import collections
import hashlib
import json
import os
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from bulletin.live.models import LiveEvent
from bulletin.liveblogs.models import LiveBlogEntry, LiveBlogPage
from bulletin.newsroom import bulk
from bulletin.newsroom.models import (
    Author,
    BreakingNews,
    Byline,
    ListingEntry,
    NewsFeedPage,
    PublicationSettings,
    Section,
    Sequence,
    StoryPage,
    Tag,
)
from bulletin.publishing.models import GoneURL

from . import format

#: Fields every page of the tree has (Wagtail's Page), as exported; the tree position is the record's place.
PAGE_FIELDS = (
    "title",
    "draft_title",
    "slug",
    "seo_title",
    "search_description",
    "show_in_menus",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "go_live_at",
    "expire_at",
    "expired",
)
STORY_FIELDS = (
    "summary",
    "feature_image_alt",
    "feature_image_caption",
    "feature_image_credit",
    "updated_at",
    "feed_position",
    "canonical_url",
)
IMAGE_FIELDS = (
    "title",
    "description",
    "width",
    "height",
    "file_size",
    "file_hash",
    "focal_point_x",
    "focal_point_y",
    "focal_point_width",
    "focal_point_height",
    "created_at",
)
DOCUMENT_FIELDS = ("title", "file_size", "file_hash", "created_at")
#: Wagtail's Embed row as a finder filled it: pages render from it (and the snapshot) without asking the provider.
EMBED_FIELDS = (
    "url",
    "max_width",
    "hash",
    "html",
    "title",
    "author_name",
    "provider_name",
    "thumbnail_url",
    "width",
    "height",
    "last_updated",
    "cache_until",
)
LIVE_BLOG_FIELDS = ("status", "coverage_ended_at", "key_developments", "next_blog_id")
LIVE_BLOG_ENTRY_FIELDS = ("position", "posted_at", "headline", "image_alt", "is_key", "updated_at", "version")
REDIRECT_FIELDS = (
    "old_path",
    "is_permanent",
    "redirect_page_route_path",
    "redirect_link",
    "automatically_created",
    "created_at",
)


def _value(value):
    if hasattr(value, "isoformat") and hasattr(value, "tzinfo"):
        return format.datetime_to_json(value)
    return value


def _fields(instance, names):
    return {name: _value(getattr(instance, name)) for name in names}


class ExportWriter:
    """Writes records to newsroom.jsonl and files under media/, counting both."""

    def __init__(self, folder, progress):
        self.folder = Path(folder)
        self.counts = collections.Counter()
        self.progress = progress or (lambda n: None)
        self.file = (self.folder / format.RECORDS_FILE).open("w", encoding="utf-8", newline="\n")

    def write(self, kind, record):
        self.file.write(format.encode_record({"type": kind, **record}))
        self.counts[kind] += 1
        self.progress(1)

    def copy_file(self, name):
        """Copy a stored file (an image's or a document's original) under media/, by its storage name; returns
        its SHA-1, which import checks (Wagtail's own file_hash is empty for images it did not upload)."""
        target = self.folder / format.MEDIA_FOLDER / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1()
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        self.counts["file"] += 1
        return digest.hexdigest()


def record_count():
    """How many records an export of this newsroom writes (for the progress bar)."""
    return (
        2
        + get_image_model().objects.count()
        + get_document_model().objects.count()
        + Embed.objects.count()
        + Section.objects.count()
        + Tag.objects.count()
        + Author.objects.count()
        + NewsFeedPage.objects.count()
        + Site.objects.count()
        + StoryPage.objects.count()
        + LiveBlogEntry.objects.count()
        + Redirect.objects.count()
        + GoneURL.objects.count()
        + LiveEvent.objects.count()
        + Sequence.objects.count()
    )


def export_newsroom(folder, progress=None):
    """Write the newsroom into ``folder`` (created; it must be empty). Returns the count of each record type
    and of files. The manifest is written last, so a folder without one is an export that did not finish."""
    folder = Path(folder)
    _refuse_unknown_pages()
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise format.ExportFileError(f"{folder} is not empty; export into a new folder.")
    writer = ExportWriter(folder, progress)
    with writer.file:
        _write_publication(writer)
        _write_breaking_news(writer)
        _write_images(writer)
        _write_documents(writer)
        _write_embeds(writer)
        for kind, model in (("section", Section), ("tag", Tag)):
            for topic in model.objects.order_by("pk"):
                writer.write(kind, {"id": topic.pk, **_fields(topic, ("name", "slug", "description"))})
        _write_authors(writer)
        _write_news_feed_pages(writer)
        for site in Site.objects.order_by("pk"):
            writer.write(
                "site",
                {
                    "id": site.pk,
                    **_fields(site, ("hostname", "port", "site_name", "is_default_site")),
                    "root_page": site.root_page_id,
                },
            )
        _write_stories(writer)
        _write_live_blog_entries(writer)
        _write_redirects(writer)
        for gone in GoneURL.objects.order_by("pk"):
            writer.write("gone_url", _fields(gone, ("path", "removed_at")))
        for event in LiveEvent.objects.order_by("pk"):
            writer.write(
                "live_event",
                {
                    "id": event.pk,
                    "created_at": _value(event.created_at),
                    "event_type": event.type,
                    "payload": event.payload,
                },
            )
        for counter in Sequence.objects.order_by("name"):
            writer.write("counter", {"name": counter.name, "last_value": counter.last_value})
        writer.file.flush()
        os.fsync(writer.file.fileno())
    manifest = {
        "format": format.FORMAT,
        "format_version": format.FORMAT_VERSION,
        "exported_at": format.datetime_to_json(timezone.now()),
        "records": {kind: writer.counts[kind] for kind in format.RECORD_TYPES},
        "files": writer.counts["file"],
    }
    temporary = folder / f".{format.MANIFEST_FILE}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    temporary.replace(folder / format.MANIFEST_FILE)
    return writer.counts


def _refuse_unknown_pages():
    """The format knows the News Feed page, stories and live blogs: a page of another type would be left out
    without a word, and the imported site would lack it. Better to refuse until the format carries it."""
    known = ContentType.objects.get_for_models(NewsFeedPage, StoryPage, LiveBlogPage).values()
    other = Page.objects.filter(depth__gt=1).exclude(content_type__in=known).select_related("content_type").first()
    if other is not None:
        raise format.ExportFileError(
            f"The page “{other.title}” (id {other.pk}) is a {other.content_type.name}, which format_version "
            f"{format.FORMAT_VERSION} does not carry; nothing was exported."
        )


def _write_publication(writer):
    settings = PublicationSettings.load()
    writer.write("publication", _fields(settings, ("name", "language", "x_account")))


def _write_breaking_news(writer):
    banner = BreakingNews.load()
    writer.write("breaking_news", {"text": banner.text, "link": banner.link, "ends_at": _value(banner.ends_at)})


def _write_images(writer):
    for image in get_image_model().objects.order_by("pk").iterator(chunk_size=bulk.BATCH_SIZE):
        sha1 = writer.copy_file(image.file.name)
        writer.write("image", {"id": image.pk, "file": image.file.name, "sha1": sha1, **_fields(image, IMAGE_FIELDS)})


def _write_documents(writer):
    for document in get_document_model().objects.order_by("pk").iterator(chunk_size=bulk.BATCH_SIZE):
        sha1 = writer.copy_file(document.file.name)
        writer.write(
            "document",
            {"id": document.pk, "file": document.file.name, "sha1": sha1, **_fields(document, DOCUMENT_FIELDS)},
        )


def _write_embeds(writer):
    """Every resolved embed with its snapshot and local thumbnail: an import renders the same cards with no
    request to a provider (embeds/resolution.py reads only these rows on render)."""
    for embed in Embed.objects.order_by("pk").select_related("snapshot"):
        snapshot = getattr(embed, "snapshot", None)
        # "type" names the record's type: the embed's own type ("video", "rich"…) is "embed_type".
        record = {"id": embed.pk, "embed_type": embed.type, **_fields(embed, EMBED_FIELDS), "snapshot": None}
        if snapshot is not None:
            thumbnail = snapshot.thumbnail.name or None
            record["snapshot"] = {
                "file": thumbnail,
                "sha1": writer.copy_file(thumbnail) if thumbnail else None,
                **_fields(snapshot, ("thumbnail_width", "thumbnail_height", "published_at")),
            }
        writer.write("embed", record)


def _write_authors(writer):
    for author in Author.objects.order_by("pk").prefetch_related("links"):
        writer.write(
            "author",
            {
                "id": author.pk,
                **_fields(author, ("name", "slug", "job_title", "bio")),
                "avatar": author.avatar_id,
                "links": [{"label": link.label, "url": link.url} for link in author.links.all()],
            },
        )


def _write_news_feed_pages(writer):
    """The News Feed page sits right under Wagtail's root (NewsFeedPage.parent_page_types)."""
    for page in NewsFeedPage.objects.order_by("path"):
        writer.write(
            "news_feed_page",
            {"id": page.pk, "translation_key": str(page.translation_key), **_fields(page, PAGE_FIELDS)},
        )


def _write_stories(writer):
    """Stories in tree order, a batch at a time, with their bylines, tags, sources, corrections and list places
    loaded per batch (a few queries each)."""
    parents = dict(NewsFeedPage.objects.values_list("path", "pk"))
    last_path = ""
    while True:
        batch = list(
            StoryPage.objects.filter(path__gt=last_path)
            .order_by("path")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.order_by("sort_order")),
                "tags",
                "sources",
                "corrections",
                Prefetch("listing_entries", queryset=ListingEntry.objects.order_by("kind", "collection_id")),
            )[: bulk.BATCH_SIZE]
        )
        if not batch:
            return
        blogs = LiveBlogPage.objects.in_bulk([story.pk for story in batch])
        for story in batch:
            record = _story_record(story, parents)
            if story.pk in blogs:
                record["live_blog"] = _fields(blogs[story.pk], LIVE_BLOG_FIELDS)
            writer.write("story", record)
        last_path = batch[-1].path


def _story_record(story, parents):
    """A story, its News Feed page (``parent``) and all it shows. Stories come in tree order (by path), so an
    import that adds each one as its parent's last child rebuilds the same order."""
    return {
        "id": story.pk,
        "parent": parents[story.path[: -story.steplen]],
        "translation_key": str(story.translation_key),
        **_fields(story, PAGE_FIELDS),
        **_fields(story, STORY_FIELDS),
        # StreamField's raw data as stored: block ids, and stories and images named by id.
        "body": list(story.body.raw_data),
        "feature_image": story.feature_image_id,
        "section": story.section_id,
        "tags": sorted(tag.pk for tag in story.tags.all()),
        "authors": [byline.author_id for byline in story.bylines.all()],
        "sources": [{"name": source.name, "url": source.url} for source in story.sources.all()],
        "corrections": [
            {"corrected_at": format.datetime_to_json(c.corrected_at), "text": c.text} for c in story.corrections.all()
        ],
        "listings": [[entry.kind, entry.collection_id, entry.position] for entry in story.listing_entries.all()],
    }


def _write_live_blog_entries(writer):
    """After the stories, so that every blog an entry names is known when it is read. Entries keep their ids:
    a reader's link to one (#entry-<id>, entries/<id>/) must lead to the same entry."""
    for entry in LiveBlogEntry.objects.order_by("pk").iterator(chunk_size=bulk.BATCH_SIZE):
        writer.write(
            "live_blog_entry",
            {
                "id": entry.pk,
                "blog": entry.blog_id,
                **_fields(entry, LIVE_BLOG_ENTRY_FIELDS),
                "body": list(entry.body.raw_data),
                "image": entry.image_id,
                "author": entry.author_id,
            },
        )


def _write_redirects(writer):
    for redirect in Redirect.objects.order_by("pk"):
        writer.write(
            "redirect",
            {
                "id": redirect.pk,
                **_fields(redirect, REDIRECT_FIELDS),
                "site": redirect.site_id,
                "redirect_page": redirect.redirect_page_id,
            },
        )
