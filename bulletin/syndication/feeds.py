"""The newest stories of the site, a section, a tag or an author, as RSS 2.0, Atom 1.0 and JSON Feed 1.1.

One Feed class answers every question a feed asks (title, items, dates, ids); the three formats differ only in
their generator (generators.py). Items carry the whole story: the body rendered by the same block templates as
the page, sanitized again and with absolute URLs, since feed readers show it outside the site.
"""

import collections
import copy
import dataclasses
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import escape

from bulletin.newsroom import collection_kinds, listings, render_memo
from bulletin.newsroom.collection_kinds import AUTHORS
from bulletin.newsroom.models import Byline, PublicationSettings, StoryPage

from . import dates, generators, images, locations

#: Stories in each feed: readers poll often, and every item carries its whole story.
FEED_SIZE = 20

#: What a story body may contain in a feed: the paragraph whitelist plus the markup of the other blocks.
CONTENT_TAGS = {
    "p",
    "a",
    "b",
    "strong",
    "i",
    "em",
    "ul",
    "ol",
    "li",
    "br",
    "h2",
    "figure",
    "figcaption",
    "img",
    "blockquote",
    "aside",
    "span",
}
CONTENT_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"}}


def story_id(story):
    """A tag: URI (RFC 4151) that no edit changes: the site's host, the day of first publication, the page id.
    Not the URL, which changes with the slug. ``story`` is a StoryPage or an Entry."""
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    return f"tag:{host},{dates.local(story.first_published_at):%Y-%m-%d}:story/{story.pk}"


@dataclasses.dataclass
class Source:
    """What one feed is about: the site (collection None) or one section, tag or author (of ``kind``)."""

    request: object
    publication: PublicationSettings
    collection: object = None
    kind: collection_kinds.CollectionKind = None


@dataclasses.dataclass(frozen=True)
class Content:
    """The part of an item that costs a render: the story's body as HTML, and its feed image."""

    html: str
    image: object


@dataclasses.dataclass(frozen=True)
class Entry:
    """One story as its item shows it."""

    pk: int
    title: str
    summary: str
    url: str
    first_published_at: object
    updated: object  # the "Updated" time readers see, else the first publication
    categories: list  # the section's name, then the tags' names
    authors: list  # {"name", "url"} for each byline
    content: Content


class _Recording(feedgenerator.SyndicationFeed):
    """Stands in for a feed generator to keep what Django's Feed passes it."""

    def __init__(self, **feed_kwargs):
        self.feed_kwargs, self.items_kwargs = feed_kwargs, []

    def add_item(self, **item_kwargs):
        self.items_kwargs.append(item_kwargs)


class StoryFeed(Feed):
    """RSS 2.0 by default; AtomStoryFeed and JsonStoryFeed change only the generator."""

    feed_type = generators.RssFeed

    def get_object(self, request, kind=None, slug=None):
        """``kind`` is the first segment of a CollectionKind's URLs; the site's feeds have none."""
        publication = PublicationSettings.load(request_or_site=request)
        if kind is None:
            return Source(request, publication)
        kind = collection_kinds.by_segment(kind)
        return Source(request, publication, get_object_or_404(kind.model, slug=slug), kind)

    def title(self, source):
        if source.collection is None:
            return source.publication.name
        return f"{source.collection.name} · {source.publication.name}"

    def link(self, source):
        return source.kind.url(source.collection) if source.collection else "/"

    def description(self, source):
        collection = source.collection
        if collection is None:
            return f"The latest news from {source.publication.name}."
        if source.kind is AUTHORS:
            return f"The latest stories by {collection.name}."
        return collection.description or f"The latest stories in {collection.name}."

    subtitle = description

    def author_name(self, source):
        return source.publication.name

    def get_feed(self, source, request):
        # The publisher renders a collection's feed in three formats in one batch: Django's Feed works out the
        # feed and its items once (recorded), and each format's generator is filled from that record. Only the
        # feed's own URL differs between formats.
        memo = render_memo.for_request(request)
        key = (
            "syndication.feed",
            request.get_host(),
            request.is_secure(),
            getattr(source.kind, "name", None),
            getattr(source.collection, "pk", None),
        )
        if key not in memo:
            recorder = copy.copy(self)
            recorder.feed_type = _Recording
            memo[key] = Feed.get_feed(recorder, source, request)
        recorded = memo[key]
        generator = self.feed_type(**{**recorded.feed_kwargs, "feed_url": request.build_absolute_uri(request.path)})
        for item in recorded.items_kwargs:
            generator.add_item(**item)
        # Django takes the language from a class attribute or the request; ours is the publication's.
        generator.feed["language"] = source.publication.language
        return generator

    def items(self, source):
        # The publisher renders the feeds of a story's section, tags and authors, in three formats, in one batch;
        # their items are the same stories, prepared once per batch (newsroom/render_memo.py).
        request = source.request
        memo = render_memo.for_request(request)
        keys = {pk: ("syndication.feed_entry", request.get_host(), pk) for pk in _story_ids(source)}
        for entry in _entries([pk for pk, key in keys.items() if key not in memo], request):
            memo[keys[entry.pk]] = entry
        return [memo[key] for key in keys.values() if key in memo]  # a story unpublished meanwhile is left out

    def item_title(self, entry):
        # Django's default escapes the title a second time for old RSS readers (#6533); ours are plain text.
        return entry.title

    def item_description(self, entry):
        # RSS descriptions and Atom's type="html" summaries are HTML: a summary is text, so it is escaped once
        # for HTML here (and once more for XML by the generator).
        return escape(entry.summary)

    def item_link(self, entry):
        return entry.url

    def item_guid(self, entry):
        return story_id(entry)

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return dates.local(entry.first_published_at)

    def item_updateddate(self, entry):
        """The editorial update time readers see on the page ("Updated …"), else first publication."""
        return dates.local(entry.updated)

    def item_categories(self, entry):
        return entry.categories

    def item_enclosures(self, entry):
        image = entry.content.image
        if image is None:
            return []
        return [feedgenerator.Enclosure(image.url, str(image.length), image.mime_type)]

    def item_extra_kwargs(self, entry):
        return {
            "content_html": entry.content.html,
            "summary_text": entry.summary,
            "authors": entry.authors,
            "image": entry.content.image,
        }


class AtomStoryFeed(StoryFeed):
    feed_type = generators.AtomFeed


class JsonStoryFeed(StoryFeed):
    feed_type = generators.JsonFeed


def _story_ids(source):
    """The ids of the FEED_SIZE newest live stories of the ``source`` (the whole site without a collection),
    newest first."""
    if source.collection is None:
        return list(listings.feed_stories().values_list("pk", flat=True)[:FEED_SIZE])
    return listings.Listing(source.collection, source.kind).head_story_ids()[:FEED_SIZE]


#: What an item reads of each story: rows, not Wagtail page objects, whose construction was most of a feed's
#: time (a publish renders the feeds of five collections, about 100 items); the body is read for its link cards.
ENTRY_ROW = (
    "pk",
    "title",
    "summary",
    "url_path",
    "first_published_at",
    "last_published_at",
    "updated_at",
    "section__name",
    "body",
)


def _entries(ids, request):
    """The Entry of each live story of ``ids`` (in no particular order), in one query each for the stories,
    their bylines and their tags, and one more for the contents not kept from an earlier publish."""
    if not ids:
        return []
    rows = list(StoryPage.objects.live().filter(pk__in=ids).values_list(*ENTRY_ROW, named=True))
    authors, tags = collections.defaultdict(list), collections.defaultdict(list)
    for story, name, slug in (
        Byline.objects.filter(page__in=ids)
        .order_by("page", "sort_order")
        .values_list("page", "author__name", "author__slug")
    ):
        authors[story].append({"name": name, "url": request.build_absolute_uri(reverse(AUTHORS.name, args=[slug]))})
    for story, name in (
        StoryPage.tags.through.objects.filter(storypage__in=ids)
        .order_by("storypage", "tag__name")
        .values_list("storypage", "tag__name")
    ):
        tags[story].append(name)
    root = locations.site_root(request)
    contents = _contents(rows, request)
    return [
        Entry(
            row.pk,
            row.title,
            row.summary,
            locations.story_location(root, row.url_path),
            row.first_published_at,
            dates.last_modified(row),
            [row.section__name, *tags[row.pk]],
            authors[row.pk],
            contents[row.pk],
        )
        for row in rows
        if row.pk in contents
    ]


#: Item contents kept between publishes, least recently used out first. A publish renders the 15 feeds around
#: a story, about 80 items, of which usually one is new; rendering every body again was most of a publish's
#: time (bench/README.md). The key holds everything the content shows: the story's own last publication (every
#: edit is published again) and that of each story its link cards show (their headlines are in the body). What
#: the key leaves out (author names, section and tag names) is read fresh for every item.
_CONTENTS = collections.OrderedDict()
CONTENTS_KEPT = 1000


def _contents(rows, request):
    """{story id: Content} for the story ``rows``, rendered or as kept from an earlier publish."""
    linked = {row.pk: _linked_story_ids(row.body) for row in rows}
    versions = {
        pk: (live, published)
        for pk, live, published in StoryPage.objects.filter(
            pk__in={pk for ids in linked.values() for pk in ids}
        ).values_list("pk", "live", "last_published_at")
    }
    keys = {
        row.pk: (
            request.get_host(),
            request.is_secure(),
            row.pk,
            row.last_published_at,
            tuple((pk, versions.get(pk)) for pk in linked[row.pk]),
        )
        for row in rows
    }
    missing = [pk for pk, key in keys.items() if key not in _CONTENTS]
    for story in StoryPage.objects.filter(pk__in=missing).select_related("feature_image") if missing else []:
        image = images.renditions(story.feature_image, [images.FEED_IMAGE_SPEC], request, story.feature_image_alt)
        _CONTENTS[keys[story.pk]] = Content(_content_html(story, request), image[0] if image else None)
    contents = {pk: _CONTENTS[key] for pk, key in keys.items() if key in _CONTENTS}  # not: deleted meanwhile
    for pk in contents:
        _CONTENTS.move_to_end(keys[pk])
    while len(_CONTENTS) > CONTENTS_KEPT:
        _CONTENTS.popitem(last=False)
    return contents


def _linked_story_ids(body):
    """The stories that the link cards of a story ``body`` show, read from its stored JSON."""
    return [
        block["value"]["story"]
        for block in body.raw_data
        if block["type"] == "link_card" and block["value"].get("story")
    ]


def _content_html(story, request):
    """The story's feature image and body as a feed reader shows them: the page's own block templates,
    sanitized, every link and image URL absolute."""
    return feed_content(render_to_string("syndication/item_content.html", {"story": story}, request=request), request)


def feed_content(html, request):
    """Rendered HTML made fit for a feed's content: only CONTENT_TAGS and CONTENT_ATTRIBUTES, links safe, and
    every link and image URL absolute. Every feed of the site (a live blog's too) cleans its content here."""
    return nh3.clean(
        html,
        tags=CONTENT_TAGS,
        attributes=CONTENT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
        url_relative=("rewrite_with_base", request.build_absolute_uri("/")),
    )
