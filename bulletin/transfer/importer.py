"""`bulletin import bulletin DIR`: load an export folder (format.py, docs/exporting.md) into an empty newsroom.

All or nothing: every row is written in one transaction, and the files copied into MEDIA_ROOT are removed again
if anything fails, so a damaged export leaves the newsroom as it was. Rows keep their ids (see exporter.py).

Rows are written in bulk, without Django's or Wagtail's save signals, as the demo builder writes them
(newsroom/bulk.py): the newsroom is rendered by `bulletin build` once it is complete, not file by file while half
of it is missing. Each story gets a first revision (approved for its go-live time if it is scheduled, so the
scheduler publishes it), and each batch is indexed for search. Tree paths are computed as treebeard's
``add_child`` computes them, in the exported order.
"""

import collections
import dataclasses
import hashlib
import uuid
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from bulletin.embeds.models import EmbedSnapshot
from bulletin.live.models import LiveEvent
from bulletin.liveblogs.models import LiveBlogEntry, LiveBlogPage
from bulletin.newsroom import bulk
from bulletin.newsroom.blocks import StoryBodyBlock, reusing_images
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
from bulletin.newsroom.summary_table import SummaryTable
from bulletin.publishing.models import GoneURL

from . import exporter, format

BODY_BLOCK_TYPES = frozenset(StoryBodyBlock.base_blocks)
#: The types of live event a newsroom records: a story's three and a live blog's status.
LIVE_EVENT_TYPES = frozenset([*(value for value, _label in LiveEvent.TYPES), "blog"])
#: A page's references to rows an export does not carry (accounts, revisions) or that the import sets itself.
PAGE_REFERENCES = ("content_type", "locale", "live_revision", "latest_revision", "owner", "locked_by")
#: Models whose ids the import sets itself; PostgreSQL's sequences are moved past them at the end.
MODELS_WITH_KEPT_IDS = (
    get_image_model(),
    get_document_model(),
    Section,
    Tag,
    Author,
    Page,
    Site,
    Redirect,
    LiveEvent,
    Embed,
    EmbedSnapshot,
    LiveBlogEntry,
)


class NewsroomNotEmpty(Exception):
    """The newsroom has content already: an export is loaded into an empty one only."""


@dataclasses.dataclass
class ImportResult:
    created: collections.Counter
    updated: collections.Counter
    unchanged: collections.Counter
    dry_run: bool

    def table(self):
        """The import's summary table, as text. An import of an export creates everything or fails as a whole, so
        nothing is ever skipped or failed on its own; the columns are those of the other importers' tables. A file is
        unchanged when MEDIA_ROOT has it already, with the same content."""
        table = SummaryTable()
        for kind in [kind for kind in format.RECORD_TYPES if self.created[kind] or self.updated[kind]] + ["file"]:
            for column in ("created", "updated", "unchanged"):
                table.add(kind, column, getattr(self, column)[kind])
        return table.table()


def import_newsroom(folder, dry_run=False, progress=None):
    """Load the export in ``folder``. With ``dry_run``, read and check everything, write rows in a transaction
    that is rolled back, and copy no file. Raises format.ExportFileError (naming the file, line and item) or
    NewsroomNotEmpty, having changed nothing."""
    folder = Path(folder)
    manifest = format.read_manifest(folder)
    loader = Loader(folder, dry_run, progress or (lambda n: None))
    try:
        with transaction.atomic():
            loader.prepare()
            for number, record in format.read_records(folder, manifest["records"]):
                try:
                    loader.load(format.upgrade(record, manifest["format_version"]))
                except (KeyError, TypeError, ValueError, ValidationError) as error:
                    raise format.ExportFileError(
                        f"{folder / format.RECORDS_FILE}, line {number} ({_describe(record)}): {_reason(error)}"
                    ) from None
            loader.finish()
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        loader.remove_copied_files()
        raise
    return ImportResult(created=loader.created, updated=loader.updated, unchanged=loader.unchanged, dry_run=dry_run)


def _describe(record):
    """Name the item of a record for an error message: its type, id and slug, name or path where it has one."""
    kind = record.get("type", "record")
    label = next(
        (record[key] for key in ("slug", "name", "title", "old_path", "path") if isinstance(record.get(key), str)), ""
    )
    ident = f" {record['id']}" if "id" in record else ""
    return f"{kind}{ident}" + (f" “{label}”" if label else "")


def _describe_story(story):
    return f"story {story.pk} “{story.slug}”"


def _reason(error):
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    if isinstance(error, ValidationError):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return str(error)


def _time(value):
    return format.datetime_from_json(value)


class Loader:
    """Turns the records of one export into rows, in the order newsroom.jsonl gives them."""

    def __init__(self, folder, dry_run, progress):
        self.folder, self.dry_run, self.progress = folder, dry_run, progress
        self.created, self.updated, self.unchanged = collections.Counter(), collections.Counter(), collections.Counter()
        self.copied_files = []
        self.ids = collections.defaultdict(set)  # kind → ids loaded, to check references before writing
        #: page id (None: Wagtail's root) → [path, depth, children so far, url_path] of the pages others go under
        self.children = {}
        self.stories = []
        self.live_blogs = set()  # ids of the live blogs read, which entries may name
        self.entries = []  # live blog entries read and not yet written
        self.images = {}  # id → image, for the image blocks of reading times (newsroom/blocks.py, reusing_images)

    def prepare(self):
        """Check that the newsroom is empty and clear what a new database has: Wagtail's welcome page and the
        site that points at it."""
        for model in (
            StoryPage,
            NewsFeedPage,
            Author,
            Section,
            Tag,
            get_image_model(),
            get_document_model(),
            Redirect,
            GoneURL,
            LiveEvent,
            Embed,
        ):
            if model.objects.exists():
                raise NewsroomNotEmpty(
                    f"This newsroom has {model._meta.verbose_name_plural} already; import an export into an empty "
                    "newsroom (a new BULLETIN_DATA_DIR or DATABASE_URL)."
                )
        root = Page.get_first_root_node()
        for page in root.get_children():
            if page.specific_class is not Page:
                raise NewsroomNotEmpty(f"This newsroom has a page “{page.title}” already; import into an empty one.")
            page.delete()  # Wagtail's welcome page
        Site.objects.all().delete()
        Sequence.objects.all().delete()
        self.root = Page.objects.get(pk=root.pk)
        self.children[None] = [self.root.path, self.root.depth, self.root.numchild, self.root.url_path]
        self.locale = Locale.get_default()
        self.collection = Collection.get_first_root_node()
        self.story_type = ContentType.objects.get_for_model(StoryPage)
        self.live_blog_type = ContentType.objects.get_for_model(LiveBlogPage)
        self.next_blogs = {}  # live blog id → the page it sends readers to once ended, set when all pages are in

    def load(self, record):
        kind = record["type"]
        if kind == "story":
            self.stories.append(self._story_rows(record))
            if len(self.stories) >= bulk.BATCH_SIZE:
                self._write_stories()
        else:
            if self.stories:
                self._write_stories()
            if self.entries and kind != "live_blog_entry":
                self._write_entries()
            getattr(self, f"_load_{kind}")(record)
        self.progress(1)

    def finish(self):
        if self.stories:
            self._write_stories()
        if self.entries:
            self._write_entries()
        for blog, next_blog in self.next_blogs.items():
            self._check_page(next_blog, "next blog")
            LiveBlogPage.objects.filter(pk=blog).update(next_blog_id=next_blog)
        for pk, (_path, _depth, numchild, _url_path) in self.children.items():
            Page.objects.filter(pk=self.root.pk if pk is None else pk).update(numchild=numchild)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), MODELS_WITH_KEPT_IDS):
                cursor.execute(statement)
            cursor.execute("ANALYZE")  # fresh planner statistics, so feed queries pick the feed_position index

    def remove_copied_files(self):
        for name in self.copied_files:
            default_storage.delete(name)
        self.copied_files = []

    # One method per record type, in format.RECORD_TYPES order.

    def _load_publication(self, record):
        fields = {name: record[name] for name in ("name", "language", "x_account")}
        PublicationSettings(**fields).clean_fields()
        if PublicationSettings.objects.update(**fields):
            self.updated["publication"] += 1
        else:
            PublicationSettings.objects.bulk_create([PublicationSettings(**fields)])  # no post_save: no publish
            self.created["publication"] += 1

    def _load_breaking_news(self, record):
        """The banner as it was (BreakingNews.clean's check that an end time is still ahead is for an editor
        setting it now; an export's may have passed, and the scheduler takes such a banner down)."""
        fields = {"text": record["text"], "link": record["link"], "ends_at": _time(record["ends_at"])}
        BreakingNews(**fields).clean_fields()
        if BreakingNews.objects.update(**fields):
            self.updated["breaking_news"] += 1
        else:
            BreakingNews.objects.bulk_create([BreakingNews(**fields)])  # no post_save: `bulletin build` renders it
            self.created["breaking_news"] += 1

    def _load_image(self, record):
        image = get_image_model()(
            id=record["id"],
            collection=self.collection,
            **{name: record[name] for name in exporter.IMAGE_FIELDS if name != "created_at"},
            created_at=_time(record["created_at"]),
        )
        image.file.name = self._copy_file(record)
        image.clean_fields(exclude=["file", "collection", "uploaded_by_user"])
        bulk.insert_rows(get_image_model(), [image])
        self._created("image", record["id"])

    def _load_document(self, record):
        document = get_document_model()(
            id=record["id"],
            collection=self.collection,
            **{name: record[name] for name in exporter.DOCUMENT_FIELDS if name != "created_at"},
            created_at=_time(record["created_at"]),
        )
        document.file.name = self._copy_file(record)
        document.clean_fields(exclude=["file", "collection", "uploaded_by_user"])
        bulk.insert_rows(get_document_model(), [document])
        self._created("document", record["id"])

    def _load_embed(self, record):
        embed = Embed(
            id=record["id"], type=record["embed_type"], **{name: record[name] for name in exporter.EMBED_FIELDS}
        )
        for name in ("last_updated", "cache_until"):
            setattr(embed, name, _time(record[name]))
        embed.clean_fields()
        if record["snapshot"] is not None:
            snapshot = record["snapshot"]
            kept = EmbedSnapshot(
                embed_id=embed.pk,
                thumbnail_width=snapshot["thumbnail_width"],
                thumbnail_height=snapshot["thumbnail_height"],
                published_at=_time(snapshot["published_at"]),
            )
            if snapshot["file"] is not None:
                kept.thumbnail.name = self._copy_file(snapshot)
            kept.clean_fields(exclude=["embed", "thumbnail"])
        bulk.insert_rows(Embed, [embed])
        if record["snapshot"] is not None:
            EmbedSnapshot.objects.bulk_create([kept])
        self._created("embed", embed.pk)

    def _copy_file(self, record):
        """Check the file beside the export against its recorded hash, and copy it into MEDIA_ROOT under the
        same name (rendition names, and so the pages, are made from it)."""
        name = record["file"]
        if not isinstance(name, str) or Path(name).is_absolute() or ".." in Path(name).parts:
            raise ValueError(f"the file name {name!r} is not a plain relative path")
        source = self.folder / format.MEDIA_FOLDER / name
        if not source.is_file():
            raise ValueError(f"{source} is missing: the export is incomplete")
        if _sha1(source) != record["sha1"]:
            raise ValueError(f"{source} does not match its sha1: the file is damaged or was changed")
        if default_storage.exists(name):
            if _sha1_of_stored(name) != record["sha1"]:
                raise ValueError(
                    f"MEDIA_ROOT already has a different file {name}; import into a newsroom with an empty media folder"
                )
            self.unchanged["file"] += 1
            return name
        self.created["file"] += 1
        if self.dry_run:
            return name
        with source.open("rb") as data:
            saved = default_storage.save(name, data)
        self.copied_files.append(saved)
        return saved

    def _load_section(self, record):
        self._load_topic(Section, record)

    def _load_tag(self, record):
        self._load_topic(Tag, record)

    def _load_topic(self, model, record):
        topic = model(id=record["id"], name=record["name"], slug=record["slug"], description=record["description"])
        topic.clean_fields()
        model.objects.bulk_create([topic])
        self._created(record["type"], topic.pk)

    def _load_author(self, record):
        avatar = record["avatar"]
        self._check_reference("image", avatar, "avatar")
        author = Author(
            id=record["id"],
            avatar_id=avatar,
            **{name: record[name] for name in ("name", "slug", "job_title", "bio")},
        )
        author.clean_fields(exclude=["avatar", "user"])
        links = [
            AuthorLink(author_id=author.pk, label=link["label"], url=link["url"], sort_order=order)
            for order, link in enumerate(record["links"])
        ]
        for link in links:
            link.clean_fields(exclude=["author"])
        Author.objects.bulk_create([author])
        AuthorLink.objects.bulk_create(links)
        self._created("author", author.pk)

    def _page(self, record, parent, content_type):
        """A Page row for ``record``, added as the last child of ``parent`` (a page id, or None for the root)."""
        parent_path, parent_depth, numchild, parent_url_path = self.children[parent]
        numchild += 1
        self.children[parent][2] = numchild
        fields = {name: record[name] for name in exporter.PAGE_FIELDS}
        for name in (
            "first_published_at",
            "last_published_at",
            "latest_revision_created_at",
            "go_live_at",
            "expire_at",
        ):
            fields[name] = _time(fields[name])
        return dict(
            id=record["id"],
            page_ptr_id=record["id"],  # the specific page's own key: without it, its pk would be None
            path=bulk.tree_path(parent_path, parent_depth, numchild),
            depth=parent_depth + 1,
            numchild=0,
            url_path=f"{parent_url_path}{fields['slug']}/",
            content_type=content_type,
            locale=self.locale,
            translation_key=uuid.UUID(record["translation_key"]),
            **fields,
        )

    def _load_news_feed_page(self, record):
        page = NewsFeedPage(**self._page(record, None, ContentType.objects.get_for_model(NewsFeedPage)))
        page.clean_fields(exclude=PAGE_REFERENCES)
        bulk.insert_rows(Page, [page])
        bulk.insert_rows(NewsFeedPage, [page])
        self.children[page.pk] = [page.path, page.depth, 0, page.url_path]
        self._created("news_feed_page", page.pk)

    def _load_site(self, record):
        if record["root_page"] not in self.children:
            raise ValueError(f"its root page {record['root_page']} is not a page of the export")
        site = Site(
            id=record["id"],
            root_page_id=record["root_page"],
            **{name: record[name] for name in ("hostname", "port", "site_name", "is_default_site")},
        )
        site.clean_fields(exclude=["root_page"])
        bulk.insert_rows(Site, [site])
        self._created("site", site.pk)

    def _check_reference(self, kind, pk, field):
        if pk is not None and pk not in self.ids[kind]:
            raise ValueError(f"its {field} is {kind} {pk!r}, which is not in the export (or comes after it)")

    def _check_story(self, record):
        """Everything about a story that can be wrong in the file, checked before its batch is written."""
        if record["parent"] not in self.ids["news_feed_page"]:
            raise ValueError(f"its parent {record['parent']!r} is not a News Feed page of the export")
        self._check_reference("section", record["section"], "section")
        self._check_reference("image", record["feature_image"], "feature image")
        for tag in record["tags"]:
            self._check_reference("tag", tag, "tag")
        for author in record["authors"]:
            self._check_reference("author", author, "author")
        _check_body(record["body"])
        for value in (record["updated_at"], *(correction["corrected_at"] for correction in record["corrections"])):
            _time(value)
        if record["id"] in self.ids["story"]:
            raise ValueError("a story with this id came earlier in the file")
        self.ids["story"].add(record["id"])
        if record.get("live_blog") is not None:
            self.live_blogs.add(record["id"])

    def _story_rows(self, record):
        """The rows of one story: its Page and StoryPage row (one object) and the rows that belong to it. Made
        when its line is read, so that anything wrong in it is reported with its line."""
        self._check_story(record)
        blog = record.get("live_blog")
        model, content_type, own_fields = StoryPage, self.story_type, {}
        if blog is not None:
            model, content_type = LiveBlogPage, self.live_blog_type
            own_fields = {
                "storypage_ptr_id": record["id"],
                "status": blog["status"],
                "key_developments": blog["key_developments"],
                "coverage_ended_at": _time(blog["coverage_ended_at"]),
            }
            if blog["next_blog_id"] is not None:
                self.next_blogs[record["id"]] = blog["next_blog_id"]
        story = model(
            **self._page(record, record["parent"], content_type),
            **own_fields,
            **{name: record[name] for name in exporter.STORY_FIELDS if name != "updated_at"},
            updated_at=_time(record["updated_at"]),
            body=record["body"],
            feature_image_id=record["feature_image"],
            section_id=record["section"],
        )
        story.clean_fields(exclude=["body", "feature_image", "section", "next_blog", *PAGE_REFERENCES])
        # On a copy: reading the body turns its raw data into values, and a link card to a story not written yet
        # (later in this batch) would become an empty one when the row is written.
        with reusing_images(self.images):
            story.reading_minutes = StoryPage(
                title=story.title, summary=story.summary, body=record["body"], feature_image_id=story.feature_image_id
            ).compute_reading_minutes()
        bylines = [Byline(page_id=story.pk, author_id=a, sort_order=i) for i, a in enumerate(record["authors"])]
        sources = [
            CitedSource(page_id=story.pk, name=source["name"], url=source["url"], sort_order=i)
            for i, source in enumerate(record["sources"])
        ]
        corrections = [
            Correction(page_id=story.pk, corrected_at=_time(c["corrected_at"]), text=c["text"], sort_order=i)
            for i, c in enumerate(record["corrections"])
        ]
        entries = [
            ListingEntry(kind=kind, collection_id=collection_id, story_id=story.pk, position=position)
            for kind, collection_id, position in record["listings"]
        ]
        for row in [*bylines, *sources, *corrections, *entries]:
            row.clean_fields(exclude=["page", "story", "author"])
        # The story's relations in memory (modelcluster): newsroom/bulk.py writes them and its first revision.
        story.bylines, story.sources, story.corrections = bylines, sources, corrections
        story.tags = [Tag(pk=tag) for tag in record["tags"]]
        return story, entries

    def _write_stories(self):
        """Write the stories read so far, in a few statements, with their first revisions and search index."""
        batch, self.stories = self.stories, []
        stories = [story for story, _entries in batch]
        # Tags in the order the database gives them (Tag's Meta.ordering, in its collation), as Wagtail would save.
        used = {tag.pk for story in stories for tag in story.tags.all()}
        rank = {pk: order for order, pk in enumerate(Tag.objects.filter(pk__in=used).values_list("pk", flat=True))}
        for story in stories:
            story.tags = sorted(story.tags.all(), key=lambda tag: rank[tag.pk])
        try:
            bulk.insert_stories(stories, [entry for _story, entries in batch for entry in entries])
        except DatabaseError as error:
            raise format.ExportFileError(
                f"The stories from {_describe_story(stories[0])} to {_describe_story(stories[-1])} could not be "
                f"written: {error}"
            ) from None
        self.created["story"] += len(stories)

    def _load_live_blog_entry(self, record):
        """Written without signals (handlers.py would publish each entry): `bulletin build` renders the blogs."""
        if record["blog"] not in self.live_blogs:
            raise ValueError(f"its blog {record['blog']!r} is not a live blog of the export")
        self._check_reference("image", record["image"], "image")
        self._check_reference("author", record["author"], "author")
        _check_body(record["body"])
        entry = LiveBlogEntry(
            id=record["id"],
            blog_id=record["blog"],
            body=record["body"],
            image_id=record["image"],
            author_id=record["author"],
            **{name: record[name] for name in exporter.LIVE_BLOG_ENTRY_FIELDS},
        )
        entry.posted_at, entry.updated_at = _time(record["posted_at"]), _time(record["updated_at"])
        entry.clean_fields(exclude=["blog", "body", "image", "author"])
        self.entries.append(entry)
        if len(self.entries) >= bulk.BATCH_SIZE:
            self._write_entries()
        self._created("live_blog_entry", entry.pk)

    def _write_entries(self):
        batch, self.entries = self.entries, []
        try:
            bulk.insert_rows(LiveBlogEntry, batch)
        except DatabaseError as error:
            raise format.ExportFileError(
                f"The live blog entries {batch[0].pk} to {batch[-1].pk} could not be written: {error}"
            ) from None

    def _load_redirect(self, record):
        self._check_page(record["redirect_page"], "redirect page")
        redirect = Redirect(
            id=record["id"],
            site_id=record["site"],
            redirect_page_id=record["redirect_page"],
            created_at=_time(record["created_at"]),
            **{
                name: record[name]
                for name in (
                    "old_path",
                    "is_permanent",
                    "redirect_page_route_path",
                    "redirect_link",
                    "automatically_created",
                )
            },
        )
        if redirect.site_id is not None and not Site.objects.filter(pk=redirect.site_id).exists():
            raise ValueError(f"its site {redirect.site_id!r} is not a site of the export")
        redirect.clean_fields(exclude=["site", "redirect_page"])
        bulk.insert_rows(Redirect, [redirect])
        self._created("redirect", redirect.pk)

    def _check_page(self, pk, field):
        if pk is not None and not Page.objects.filter(pk=pk).exists():
            raise ValueError(f"its {field} {pk!r} is not a page of the export")

    def _load_gone_url(self, record):
        gone = GoneURL(path=record["path"], removed_at=_time(record["removed_at"]))
        gone.clean_fields()
        bulk.insert_rows(GoneURL, [gone])
        self.created["gone_url"] += 1

    def _load_live_event(self, record):
        event = LiveEvent(
            id=record["id"],
            created_at=_time(record["created_at"]),
            type=record["event_type"],
            payload=record["payload"],
        )
        # A live blog's status event has the type "blog" (liveblogs/publishing.py emit_blog), which LiveEvent's
        # choices do not list: checked here rather than by the field.
        if event.type not in LIVE_EVENT_TYPES:
            raise ValueError(f"its event_type {event.type!r} is not one of {sorted(LIVE_EVENT_TYPES)}")
        event.clean_fields(exclude=["type"])
        bulk.insert_rows(LiveEvent, [event])
        self._created("live_event", event.pk)

    def _load_counter(self, record):
        counter = Sequence(name=record["name"], last_value=record["last_value"])
        counter.clean_fields()
        Sequence.objects.bulk_create([counter])
        self.created["counter"] += 1

    def _created(self, kind, pk):
        self.ids[kind].add(pk)
        self.created[kind] += 1


def _check_body(body):
    if not isinstance(body, list) or not all(
        isinstance(block, dict) and block.get("type") in BODY_BLOCK_TYPES and "value" in block for block in body
    ):
        raise ValueError(f"its body must be a list of blocks, each a type of {sorted(BODY_BLOCK_TYPES)} and a value")


def _sha1(path):
    with Path(path).open("rb") as data:
        return hashlib.file_digest(data, "sha1").hexdigest()


def _sha1_of_stored(name):
    with default_storage.open(name, "rb") as data:
        return hashlib.file_digest(data, "sha1").hexdigest()
