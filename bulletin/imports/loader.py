"""Write what a reader yields into the newsroom, in bulk, remembering each object's source ID.

The whole import is one transaction: a file that turns out malformed, truncated or hostile (the readers find
that in their first pass, before any record is yielded), or any error while writing, leaves the newsroom as it
was. A post that cannot be converted is counted as failed, with its reason, and the others come in.

New stories are written in batches by newsroom/bulk.py, as the demo builder writes them, with a first revision
each; once all are in, the feed is numbered by publication time and the new stories (and those whose position
moved) are indexed for search in the same transaction (the ``stories_loaded`` signal). Stories that a newer
export changed are saved as a new revision and published through Wagtail, as an editor's change would be.
"""

import dataclasses
import html
import uuid
from urllib.parse import urlsplit

import lxml.html
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Locale, Page
from wagtail.models import Site as WagtailSite

from bulletin.embeds.providers import is_supported as is_embeddable
from bulletin.newsroom import bulk
from bulletin.newsroom.models import (
    RESERVED_SLUGS,
    Author,
    AuthorLink,
    Byline,
    ListingEntry,
    NewsFeedPage,
    Section,
    Sequence,
    StoryPage,
    Tag,
)
from bulletin.newsroom.signals import stories_loaded
from bulletin.newsroom.summary_table import SummaryTable

from . import body, conversion
from .media import MissingImage, save_image
from .models import ImportedObject
from .records import LIVE, SCHEDULED, Person, Post, Site, Skipped, Term, fingerprint_of

TITLE_MAX, SUMMARY_MAX, SLUG_MAX, CANONICAL_MAX = 255, 400, 200, 500
#: The section of posts that had none (Ghost posts without a public tag).
FALLBACK_SECTION = ("News", "news")


class _Rollback(Exception):
    """Raised at the end of a dry run to undo everything it wrote."""


@dataclasses.dataclass
class Options:
    media: object = None  # a media.MediaSource, or None to leave images out
    dry_run: bool = False
    progress: bool = False


def _plain_text(markup):
    if not markup or not markup.strip():
        return ""
    try:
        return " ".join(lxml.html.fragment_fromstring(markup, create_parent="div").text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return " ".join(markup.split())


def _shorten(text, limit):
    """``text`` cut at a word to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


class Loader:
    def __init__(self, options):
        self.options = options
        self.summary = SummaryTable()
        self.site = None
        self.known = {}  # (kind, source_id) → (object_id, fingerprint)
        self.images = {}  # url → image (or None when it could not be had)

    # the run
    def run(self, records):
        try:
            with transaction.atomic():
                self._run(records)
                if self.options.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        return self.summary

    def _run(self, records):
        records = iter(records)
        site = next(records)
        if not isinstance(site, Site):
            raise TypeError("a reader yields its Site first")
        self.site = site
        records = conversion.ahead(records, wordpress=site.source.startswith("wordpress"))
        if self.options.media is not None:
            self.options.media.allow_site(site.url)
        self.known = {
            (kind, source_id): (object_id, fingerprint)
            for kind, source_id, object_id, fingerprint in ImportedObject.objects.filter(
                source=site.source
            ).values_list("kind", "source_id", "object_id", "fingerprint")
        }
        self.feed_page = _news_feed_page()
        self.slugs = set(
            Page.objects.filter(path__startswith=self.feed_page.path, depth=self.feed_page.depth + 1).values_list(
                "slug", flat=True
            )
        )
        self.redirects = set(Redirect.objects.values_list("old_path", flat=True))
        self.collections = {"author": {}, "section": {}, "tag": {}}  # source_id → object
        for kind, model in (("author", Author), ("section", Section), ("tag", Tag)):
            ids = {source_id: object_id for (k, source_id), (object_id, _) in self.known.items() if k == kind}
            objects = model.objects.in_bulk(set(ids.values()))
            self.collections[kind] = {s: objects[o] for s, o in ids.items() if o in objects}
        self.created_stories = 0
        self.now = timezone.now()
        self.positions = bulk.Positions()
        self.new_live_ids = []
        bar = tqdm(unit="post", disable=not self.options.progress)
        batch = []
        for record in records:
            if isinstance(record, Post):
                batch.append(record)
                if len(batch) >= bulk.BATCH_SIZE:
                    self._posts(batch)
                    bar.update(len(batch))
                    batch = []
            elif isinstance(record, Person):
                self._person(record)
            elif isinstance(record, Term):
                self._term(record)
            elif isinstance(record, Skipped):
                self.summary.add(record.kind, "skipped", record.count, record.reason)
        if batch:
            self._posts(batch)
            bar.update(len(batch))
        bar.close()
        if self.created_stories:
            moved = renumber_by_publication()
            self._index(sorted(set(moved) | set(self.new_live_ids)))

    def _index(self, story_ids):
        """Search indexing of the new stories, and of those whose feed position moved (SQLite's index is keyed by
        it), in the import's transaction: the stories_loaded signal, in batches."""
        bar = tqdm(total=len(story_ids), unit="story", desc="indexing", disable=not self.options.progress)
        for start in range(0, len(story_ids), bulk.BATCH_SIZE):
            batch = story_ids[start : start + bulk.BATCH_SIZE]
            stories_loaded.send(__name__, story_ids=batch)
            bar.update(len(batch))
        bar.close()

    def _remember(self, kind, source_id, object_id, fingerprint):
        ImportedObject.objects.update_or_create(
            source=self.site.source,
            kind=kind,
            source_id=source_id,
            defaults={"object_id": object_id, "fingerprint": fingerprint},
        )
        self.known[(kind, source_id)] = (object_id, fingerprint)

    # images
    def image(self, url, title, kind="image"):
        """The image at ``url`` (brought in once per import and per site), or None; failures are counted."""
        if not url or self.options.media is None:
            return None
        # Ghost 4+ writes its own site's address as __GHOST_URL__: the path is what --media is laid out by.
        url = url.replace("__GHOST_URL__", "")
        if url in self.images:
            return self.images[url]
        known = self.known.get(("image", url))
        image = None
        if known:
            from wagtail.images import get_image_model

            image = get_image_model().objects.filter(pk=known[0]).first()
            self.summary.add("image", "unchanged")
        if image is None:
            try:
                name, data = self.options.media.read(url)
                image = save_image(name, data, title)
            except MissingImage as error:
                self.summary.add("image", "failed", reason=f"{error}")
                self.images[url] = None
                return None
            self.summary.add("image", "created")
            self._remember("image", url, image.pk, "")
        self.images[url] = image
        return image

    # authors, sections, tags
    def _person(self, person):
        fingerprint = fingerprint_of(person)
        known = self.known.get(("author", person.source_id))
        if known and known[1] == fingerprint and person.source_id in self.collections["author"]:
            self.summary.add("author", "unchanged")
            return
        author = self.collections["author"].get(person.source_id) or Author.objects.filter(slug=person.slug).first()
        created = author is None
        author = author or Author(slug=person.slug)
        author.name, author.bio = person.name, person.bio or author.bio
        author.job_title = person.job_title or author.job_title
        if person.avatar_url:
            author.avatar = self.image(person.avatar_url, f"Avatar of {person.name}") or author.avatar
        if created:
            Author.objects.bulk_create([author])  # no signals: its pages are rendered with the import's build
            AuthorLink.objects.bulk_create(
                [
                    AuthorLink(author=author, label=label, url=url, sort_order=n)
                    for n, (label, url) in enumerate(person.links)
                ]
            )
        else:
            author.save()
        self.collections["author"][person.source_id] = author
        self._remember("author", person.source_id, author.pk, fingerprint)
        Redirect.objects.bulk_create(self._redirects(person.old_paths, author.get_absolute_url()))
        self.summary.add("author", "created" if created else "updated")

    def _term(self, term):
        model = Section if term.kind == "section" else Tag
        fingerprint = fingerprint_of(term)
        known = self.known.get((term.kind, term.source_id))
        if known and known[1] == fingerprint and term.source_id in self.collections[term.kind]:
            self.summary.add(term.kind, "unchanged")
            return
        found = self.collections[term.kind].get(term.source_id) or (
            model.objects.filter(slug=term.slug).first() or model.objects.filter(name=term.name).first()
        )
        if found is None:
            name = term.name or term.slug
            if model.objects.filter(name=name).exists():
                name = f"{name} ({term.slug})"[:80]
            found = model(name=name, slug=term.slug or slugify(name, allow_unicode=True), description=term.description)
            model.objects.bulk_create([found])
            self.summary.add(term.kind, "created")
        elif known:
            found.description = term.description or found.description
            found.save()
            self.summary.add(term.kind, "updated")
        else:
            self.summary.add(term.kind, "unchanged")  # one of ours already had this slug: the posts join it
        self.collections[term.kind][term.source_id] = found
        self._remember(term.kind, term.source_id, found.pk, fingerprint)
        Redirect.objects.bulk_create(self._redirects(term.old_paths, found.get_absolute_url()))

    def _section(self, source_id):
        section = self.collections["section"].get(source_id)
        if section is None:
            name, slug = FALLBACK_SECTION
            section = Section.objects.filter(slug=slug).first() or Section.objects.create(name=name, slug=slug)
            self.collections["section"][source_id] = section
        return section

    # posts
    def _blocks(self, post):
        if post.body_blocks is not None:
            raw = post.body_blocks
        elif post.html_blocks is not None:
            raw = post.html_blocks
        else:
            raw = body.blocks_of_post(post.body_html, wordpress=self.site.source.startswith("wordpress"))
        blocks = []
        for kind, value in raw:
            if kind == "image":
                image = self.image(value["src"], value["alt"] or value["caption"] or post.title)
                if image is None:
                    continue
                blocks.append(("image", {**{k: value[k] for k in ("alt", "caption", "credit")}, "image": image}))
            elif kind == "link_card":
                image = self.image(value["image_url"], value["title"]) if value["image_url"] else None
                card = {k: value[k] for k in ("url", "title", "description", "publisher")}
                blocks.append(("link_card", {**card, "story": None, "image": image}))
            elif kind == "embed" and is_embeddable(value["url"]):
                # Not resolved here (no request to the provider per post during a bulk import): the block shows as
                # a plain link until the story's next save resolves it (bulletin/embeds).
                blocks.append(("embed", value["url"]))
            elif kind == "embed":
                # A provider Bulletin does not embed: the embed comes across as its link.
                url = html.escape(value["url"])
                blocks.append(("paragraph", body.sanitize_html(f'<p><a href="{url}">{url}</a></p>')))
            else:
                blocks.append((kind, value))
        return blocks

    def _fill(self, story, post):
        """Set the story's own fields from ``post``; returns its authors, section and tags."""
        blocks = self._blocks(post)
        story.title = _shorten(post.title, TITLE_MAX) or "Untitled"
        story.draft_title = story.title
        excerpt = _plain_text(post.excerpt) or post.meta_description
        if not excerpt:
            excerpt = next((_plain_text(v) for k, v in blocks if k == "paragraph"), "")
        story.summary = _shorten(excerpt, SUMMARY_MAX) or story.title[:SUMMARY_MAX]
        story.body = blocks
        # Kept as Wagtail's SEO fields (and exported), not shown: a story's <title> and description are its
        # headline and summary (docs/importing.md), so a corrected headline is corrected everywhere.
        story.seo_title = _shorten(post.meta_title, 255)
        story.search_description = post.meta_description
        story.canonical_url = self._canonical(post.canonical_url)
        story.feature_image = (
            self.image(post.feature_image_url, post.feature_image_alt or post.title) if post.feature_image_url else None
        )
        story.feature_image_alt = _shorten(post.feature_image_alt or post.feature_image_caption, 250)
        story.feature_image_caption = _shorten(_plain_text(post.feature_image_caption), 300)
        if post.updated_at and post.published_at and post.updated_at > post.published_at and post.state == LIVE:
            story.updated_at = post.updated_at
        story.section = self._section(post.section_id)
        authors = [self.collections["author"][a] for a in post.author_ids if a in self.collections["author"]]
        tags = list({t.pk: t for t in (self.collections["tag"].get(t) for t in post.tag_ids) if t}.values())
        return list({a.pk: a for a in authors}.values()), tags

    def _canonical(self, url):
        """A post's canonical URL, kept when it names another site's page (the original of a republished story).
        One on the old site itself is now this story's own address: its old path redirects here."""
        url = url.strip()
        if not url.startswith(("http://", "https://")) or len(url) > CANONICAL_MAX:
            return ""
        if self.site.url and urlsplit(url).netloc.lower() == urlsplit(self.site.url).netloc.lower():
            return ""
        return url

    def _unique_slug(self, wanted, source_id):
        slug = (wanted or f"post-{source_id}")[:SLUG_MAX].strip("-") or f"post-{source_id}"
        if slug in RESERVED_SLUGS:
            slug = f"{slug}-story"
        candidate, number = slug, 1
        while candidate in self.slugs:
            number += 1
            candidate = f"{slug[: SLUG_MAX - 8]}-{number}"
        self.slugs.add(candidate)
        return candidate

    def _posts(self, posts):
        new, changed = [], []
        for post in posts:
            known = self.known.get(("story", post.source_id))
            fingerprint = post.fingerprint()
            if known and known[1] == fingerprint:
                self.summary.add("story", "unchanged")
            elif known and StoryPage.objects.filter(pk=known[0]).exists():
                changed.append((post, fingerprint, known[0]))
            else:
                new.append((post, fingerprint))
            if post.hidden_reason and not (known and known[1] == fingerprint):
                self.summary.note("story", f"imported as a draft: {post.hidden_reason}")
        if new:
            self._create(new)
        for post, fingerprint, story_id in changed:
            self._update(post, fingerprint, story_id)

    def _create(self, new):
        story_type = ContentType.objects.get_for_model(StoryPage)
        locale = Locale.get_default()
        now = timezone.now()
        feed = self.feed_page
        prepared = []
        for post, fingerprint in new:
            story = StoryPage()
            try:
                authors, tags = self._fill(story, post)
            except Exception as error:  # one post's conversion must not stop the others; it is reported
                self.summary.add("story", "failed", reason=f"{post.where}: {error.__class__.__name__}: {error}")
                continue
            prepared.append((post, fingerprint, story, authors, tags))
        if not prepared:
            return
        last = feed.get_last_child()
        # Treebeard's private _str2int: the number of the feed's last child, which the new ones follow.
        child_number = Page._str2int(last.path[-Page.steplen :]) if last else 0
        stories, entries, redirects, records = [], [], [], []
        for post, _fingerprint, story, authors, tags in prepared:
            child_number += 1
            live = post.state == LIVE
            published = post.published_at or now
            story.slug = self._unique_slug(post.slug, post.source_id)
            story.content_type, story.locale, story.translation_key = story_type, locale, uuid.uuid4()
            story.path = bulk.tree_path(feed.path, feed.depth, child_number)
            story.depth, story.numchild, story.url_path = feed.depth + 1, 0, f"{feed.url_path}{story.slug}/"
            story.live, story.has_unpublished_changes = live, not live
            story.first_published_at = published if live else None
            story.last_published_at = (post.updated_at or published) if live else None
            story.go_live_at = post.published_at if post.state == SCHEDULED else None
            story.latest_revision_created_at = now
            story.reading_minutes = story.compute_reading_minutes()
            story.bylines = [Byline(author=author, sort_order=n) for n, author in enumerate(authors)]
            story.tags, story.sources, story.corrections = tags, [], []
            if live:
                entries += self.positions.place(story, authors, tags)
            stories.append(story)
        bulk.insert_stories(stories, entries, index=False)  # indexed at the end, once positions are final
        Page.objects.filter(pk=feed.pk).update(numchild=feed.numchild + len(stories))
        feed.numchild += len(stories)
        for story, (post, fingerprint, *_) in zip(stories, prepared, strict=True):
            redirects += self._redirects(post.old_paths, story.url_path[len(feed.url_path) - 1 :])
            records.append(
                ImportedObject(
                    source=self.site.source,
                    kind="story",
                    source_id=post.source_id,
                    object_id=story.pk,
                    fingerprint=fingerprint,
                )
            )
            self.known[("story", post.source_id)] = (story.pk, fingerprint)
        bulk.insert_rows(Redirect, redirects)
        bulk.insert_rows(ImportedObject, records)
        self.positions.save()
        self.new_live_ids += [story.pk for story in stories if story.live]
        self.created_stories += len(stories)
        self.summary.add("story", "created", len(stories))

    def _redirects(self, old_paths, new_url):
        """Permanent redirects from the ``old_paths`` not yet redirected (nor the new URL itself) to ``new_url``."""
        found = []
        new_path = Redirect.normalise_path(new_url)
        for old in old_paths:
            old_path = Redirect.normalise_path(old)
            if old_path in (new_path, "/") or old_path in self.redirects:
                continue
            self.redirects.add(old_path)
            found.append(
                Redirect(old_path=old_path, site=None, redirect_link=new_url, is_permanent=True, created_at=self.now)
            )
        self.summary.add("redirect", "created", len(found))
        return found

    def _update(self, post, fingerprint, story_id):
        story = StoryPage.objects.get(pk=story_id)
        try:
            authors, tags = self._fill(story, post)
        except Exception as error:  # as in _create
            self.summary.add("story", "failed", reason=f"{post.where}: {error.__class__.__name__}: {error}")
            return
        story.bylines = [Byline(author=a, sort_order=n) for n, a in enumerate(authors)]
        story.tags = tags
        revision = story.save_revision(log_action=True)
        if post.state == LIVE:
            revision.publish()
        self._remember("story", post.source_id, story.pk, fingerprint)
        self.summary.add("story", "updated")


def _news_feed_page():
    """The News Feed page; in a new database, created as the default site's root (Wagtail's welcome page goes)."""
    feed = NewsFeedPage.objects.first()
    if feed is not None:
        return feed
    root = Page.get_first_root_node()
    others = list(root.get_children())
    for page in others:
        page.slug = f"{page.slug}-old"
        page.save()
    feed = root.add_child(instance=NewsFeedPage(title="News Feed", slug="home"))
    WagtailSite.objects.update_or_create(is_default_site=True, defaults={"root_page": feed, "hostname": "localhost"})
    for page in others:
        page.delete()
    return NewsFeedPage.objects.get(pk=feed.pk)


def renumber_by_publication():
    """Give every live story its News Feed position, and every listing entry its place, by publication time.

    Imported stories are older than most stories already here; positions are the feed's order (and its stable
    archive pages), so they are numbered again from the oldest story: archive pages from the first imported
    story onwards show other stories than before, and `bulletin build` renders them again (docs/importing.md).
    """
    story, page, entry = StoryPage._meta.db_table, Page._meta.db_table, ListingEntry._meta.db_table
    before = dict(StoryPage.objects.filter(feed_position__isnull=False).values_list("pk", "feed_position"))
    with connection.cursor() as cursor:
        # Negative first, then positive: no two stories hold the same position at any moment (a unique index).
        cursor.execute(
            f"UPDATE {story} SET feed_position = -ranked.n FROM ("
            f" SELECT s.page_ptr_id AS id, ROW_NUMBER() OVER (ORDER BY p.first_published_at, p.id) AS n"
            f" FROM {story} s JOIN {page} p ON p.id = s.page_ptr_id WHERE s.feed_position IS NOT NULL) AS ranked"
            f" WHERE {story}.page_ptr_id = ranked.id"
        )
        cursor.execute(f"UPDATE {story} SET feed_position = -feed_position WHERE feed_position < 0")
        cursor.execute(
            f"UPDATE {entry} SET position = -ranked.n FROM ("
            f" SELECT e.id AS id, ROW_NUMBER() OVER (PARTITION BY e.kind, e.collection_id"
            f" ORDER BY p.first_published_at, p.id) AS n"
            f" FROM {entry} e JOIN {page} p ON p.id = e.story_id) AS ranked WHERE {entry}.id = ranked.id"
        )
        cursor.execute(f"UPDATE {entry} SET position = -position WHERE position < 0")
    top = (
        StoryPage.objects.filter(feed_position__isnull=False)
        .order_by("-feed_position")
        .values_list("feed_position", flat=True)
        .first()
    )
    Sequence.objects.update_or_create(name="feed", defaults={"last_value": top or 0})
    after = StoryPage.objects.filter(feed_position__isnull=False).values_list("pk", "feed_position")
    return [pk for pk, position in after if before.get(pk) != position]
