"""The kinds of collections that list stories (sections, tags, authors), each described once.

Every place that needs to know the kinds reads them from ``KINDS``: the URLconf (bulletin/urls.py and
syndication/urls.py) generates each kind's page, numbered-page and feed routes; web/caching.py and web/nginx.py
generate their rules from the URL segments; the publisher's plan (publishing/plan.py) lists every kind's pages
and feeds; the lists (ListingEntry, listings.Listing) number a story's place in each collection it belongs to;
the sitemaps list each kind's pages. Adding a kind takes one entry here and its templates (web looks for
``web/<name>_page.html``, then ``web/topic_page.html``).

This module imports no models (models.py imports it): a kind names its model by label. Named collection_kinds,
not collections, so that it never stands for the standard library's module.
"""

import dataclasses
import re

from django.apps import apps
from django.urls import reverse


@dataclasses.dataclass(frozen=True)
class CollectionKind:
    """One kind of collection: its URLs, its model and how a story belongs to it."""

    #: The first segment of its URLs: /<segment>/<slug>/, and the name of its sitemap (sitemaps/<segment>.xml).
    segment: str
    #: The singular: the route of its head page (``name``) and of its numbered pages (``<name>_page``), the
    #: ``kind`` of its ListingEntry rows (at most 10 characters) and the prefix of their counters ("<name>:<id>").
    name: str
    #: Its model's "app_label.ModelName": a model with ``name`` and a unique ``slug``.
    model_label: str
    #: The lookup from a StoryPage to its collections of this kind: a foreign key ("section"), a many-to-many
    #: ("tags"), or either behind a relation ("bylines__author").
    story_lookup: str
    #: Whether /<segment>/ lists every collection of the kind (route ``<name>_index``): sections and authors are a
    #: few dozen or hundred, tags grow without bound and are reached from stories instead.
    indexed: bool = False

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def page_route(self):
        """The URL name of its numbered pages (its head page's is ``name``)."""
        return f"{self.name}_page"

    @property
    def index_route(self):
        """The URL name of its index page (when ``indexed``)."""
        return f"{self.name}_index"

    def index_url(self):
        """The page that lists every collection of the kind."""
        return reverse(self.index_route)

    def url(self, collection, number=None):
        """The head page of ``collection``, or its page ``number`` (counted from the oldest story)."""
        if number is None:
            return reverse(self.name, args=[collection.slug])
        return reverse(self.page_route, args=[collection.slug, number])

    def feed_url(self, collection, feed_format):
        """The URL of ``collection``'s feed in ``feed_format`` (rss, atom, json: syndication's URL names)."""
        return reverse(f"collection_feed_{feed_format}", kwargs={"kind": self.segment, "slug": collection.slug})

    def collections_of(self, story):
        """The collections of this kind that ``story`` belongs to, in the story's own order (prefetched relations
        and a preview's unsaved ones are used as they are)."""
        return _follow([story], self.story_lookup.split("__"))

    def ids_of(self, story):
        """The ids of collections_of(story), read from the foreign keys without loading the collections."""
        *path, last = self.story_lookup.split("__")
        ids = []
        for holder in _follow([story], path):
            field = holder._meta.get_field(last)
            if field.many_to_one:
                ids.append(getattr(holder, field.attname))
            else:
                ids += [collection.pk for collection in getattr(holder, last).all()]
        return [pk for pk in ids if pk is not None]


def _follow(objects, path):
    for name in path:
        found = []
        for obj in objects:
            value = getattr(obj, name)
            if hasattr(value, "all"):  # a related manager
                found += value.all()
            elif value is not None:
                found.append(value)
        objects = found
    return objects


SECTIONS = CollectionKind(
    segment="sections", name="section", model_label="newsroom.Section", story_lookup="section", indexed=True
)
TAGS = CollectionKind(segment="tags", name="tag", model_label="newsroom.Tag", story_lookup="tags")
AUTHORS = CollectionKind(
    segment="authors", name="author", model_label="newsroom.Author", story_lookup="bylines__author", indexed=True
)

#: Every kind, in the order stories name them (the section, then tags, then authors).
KINDS = (SECTIONS, TAGS, AUTHORS)


def by_segment(segment):
    """The kind whose URLs start with ``segment`` (KeyError if none)."""
    for kind in KINDS:
        if kind.segment == segment:
            return kind
    raise KeyError(segment)


def by_name(name):
    """The kind called ``name`` (a ListingEntry's ``kind``; KeyError if none)."""
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)


def kind_of(collection):
    """The kind of a section, tag or author (the first kind of its model)."""
    label = collection._meta.label
    for kind in KINDS:
        if kind.model_label == label:
            return kind
    raise TypeError(f"not a collection of stories: {collection!r}")


def segments_pattern():
    """A regular expression alternative of every kind's URL segment: "sections|tags|authors"."""
    return "|".join(re.escape(kind.segment) for kind in KINDS)


def paired_with_kinds(story):
    """(kind, collection) for every collection of ``story``, kind by kind."""
    return [(kind, collection) for kind in KINDS for collection in kind.collections_of(story)]
