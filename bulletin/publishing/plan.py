"""Which URLs a change touches.

A published, updated or unpublished story touches a bounded set: its own page, the head of the News Feed,
the widget, its archive page, and the head and one page of each section, tag and author it belongs to (or
belonged to); the site's feeds and the feeds of those sections, tags and authors; the news sitemap and the
sitemap of the month it was first published in (and the sitemap index when that month gains its first story or
loses its last). Pages whose content shifts as a whole (a collection's pages after an unpublished story, every
story of an author whose bio changed, every page after a section is renamed) are returned as ``later`` and
rendered in the background.

Feeds and sitemaps are named here by their URL names (syndication's URLconf), never imported.
"""

import dataclasses

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, ReferenceIndex

from bulletin.newsroom import feed
from bulletin.newsroom.models import Author, Section, StoryPage, Tag


@dataclasses.dataclass
class Plan:
    now: list
    later: list
    #: Rendered right after ``now``, as an entry of its own, so that readers get ``now``'s pages first: the
    #: feeds and sitemaps of a publish take longer to render than its pages.
    next: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class PublishedState:
    """What public/ shows of a story: its URL and the pages of the sections, tags and authors that list it."""

    url: str
    listed: tuple  # (collection, page number) pairs

    @classmethod
    def of(cls, story):
        collections = [story.section, *story.tags.all(), *(b.author for b in story.bylines.all())]
        listed = []
        for collection in collections:
            number = feed.Listing(collection).page_number_of(story)
            if number:
                listed.append((collection, number))
        return cls(url=story.url, listed=tuple(listed))


def _collection_urls(listed):
    """The head and the numbered page of each (collection, page number)."""
    urls = []
    for collection, number in listed:
        urls += [collection.get_absolute_url(), f"{collection.get_absolute_url()}page/{number}/"]
    return urls


#: The live News Feed's polling fallback (the live app's last events): rewritten with every change of the feed.
LIVE_EVENTS = "/live/latest.json"


#: The feed formats of the syndication URLs named feed_<format> and collection_feed_<format>.
FEED_FORMATS = ("rss", "atom", "json")
_KINDS = {Section: "sections", Tag: "tags", Author: "authors"}


def _collections_of(stories):
    """The sections, tags and authors of ``stories`` (a queryset), whose feeds may list them."""
    collections = []
    for story in stories.select_related("section").prefetch_related("tags", "bylines__author"):
        collections += [story.section, *story.tags.all(), *(byline.author for byline in story.bylines.all())]
    return collections


def _feeds_of(collection):
    kind = _KINDS[type(collection)]
    return [reverse(f"collection_feed_{name}", kwargs={"kind": kind, "slug": collection.slug}) for name in FEED_FORMATS]


def _syndication_feeds(collections):
    """The site's feeds and those of each collection."""
    urls = [reverse(f"feed_{name}") for name in FEED_FORMATS]
    for collection in dict.fromkeys(collections):
        urls += _feeds_of(collection)
    return urls


def _sitemaps_for(story):
    """The news sitemap and the story's month (in the site's time zone), and the index if that month's sitemap
    appeared or disappeared: it is the only story of its month that is live, or none is left."""
    if story.first_published_at is None:
        return []
    month = timezone.localtime(story.first_published_at)
    urls = [reverse("sitemap", args=["news"]), reverse("sitemap", args=[f"stories-{month:%Y-%m}"])]
    others = StoryPage.objects.live().filter(
        first_published_at__year=month.year, first_published_at__month=month.month).exclude(pk=story.pk)
    if not others.exists():
        urls.append(reverse("sitemap_index"))
    return urls


def _feed_urls_for(story):
    urls = ["/", "/feed/widget/", LIVE_EVENTS]
    if story.feed_position:
        urls.append(f"/page/{feed.page_number_of(story.feed_position)}/")
    return urls


def _pages_linking_to(story):
    """Stories whose link cards show this one (Wagtail's reference index records every chooser block), and the
    feeds that carry those stories' bodies."""
    page_type = ContentType.objects.get_for_model(Page)
    referrer_ids = ReferenceIndex.get_references_to(story).filter(base_content_type=page_type).values_list(
        "object_id", flat=True)
    referrers = StoryPage.objects.live().filter(pk__in=[int(pk) for pk in referrer_ids])
    if not referrers:
        return []
    return [page.url for page in referrers] + _syndication_feeds(_collections_of(referrers))


def for_story(story, before=None):
    """A story was published or updated; ``before`` is the PublishedState it had, if it was live."""
    after = PublishedState.of(story)
    now = [story.url, *_feed_urls_for(story), *_collection_urls(after.listed)]
    collections = [collection for collection, _ in after.listed]
    if before:
        now += _collection_urls(before.listed)  # lists it left, or pages whose links show its old headline
        collections += [collection for collection, _ in before.listed]
        if before.url != after.url:
            now.append(before.url)
    return Plan(now=list(dict.fromkeys(now)), next=_syndication_feeds(collections) + _sitemaps_for(story),
                later=_pages_linking_to(story))


def for_removed_story(story, url):
    """A story was unpublished or deleted: its URL, the feed, and every list that showed it."""
    listed = PublishedState.of(story).listed
    now = [url, *_feed_urls_for(story), *_collection_urls(listed)]
    if story.feed_position:
        # The next newer archive page links to the page that held the story; that link may now skip it.
        now.append(f"/page/{feed.page_number_of(story.feed_position) + 1}/")
    return Plan(now=list(dict.fromkeys(now)),
                next=_syndication_feeds(collection for collection, _ in listed) + _sitemaps_for(story),
                later=_pages_linking_to(story))


def _all_pages_of(collection):
    listing = feed.Listing(collection)
    pages = _collection_urls([(collection, n) for n in range(1, listing.page_count() + 1)])
    return list(dict.fromkeys([collection.get_absolute_url(), *pages]))


def _feeds_showing(collection):
    """The feeds that may list a story of ``collection``: the site's and those of every section, tag and author
    of its stories (their items name the authors, section and tags)."""
    return _syndication_feeds([collection, *_collections_of(feed.stories_of(collection))])


def urls_of(collection):
    """Every URL of a section, tag or author in public/: its head, its numbered pages and its feeds."""
    return _all_pages_of(collection) + _feeds_of(collection)


def for_author(author):
    """An author's name, title, bio or avatar changed: their pages and feeds now, every story of theirs and
    every feed that lists one later."""
    stories = [story.url for story in feed.stories_of(author)]
    now = _all_pages_of(author)[:1] + _feeds_of(author)
    return Plan(now=now + [reverse("sitemap", args=["authors"])],
                later=_all_pages_of(author)[1:] + stories + _feeds_showing(author))


def for_tag(tag):
    now = _all_pages_of(tag)[:1] + _feeds_of(tag)
    return Plan(now=now + [reverse("sitemap", args=["tags"])],
                later=_all_pages_of(tag)[1:] + [s.url for s in feed.stories_of(tag)] + _feeds_showing(tag))


def for_section(section):
    """Section names are in every page's navigation: everything, in the background."""
    return Plan(now=[section.get_absolute_url(), reverse("sitemap", args=["sections"])], later=all_urls())


def for_publication():
    """The publication's name or language is on every page, feed and the news sitemap: everything, in the
    background."""
    return Plan(now=[], later=all_urls())


def _syndication_urls():
    """robots.txt, every sitemap, and the site's feeds (the collections' feeds are listed with their pages)."""
    urls = [reverse("robots_txt"), reverse("sitemap_index")]
    months = StoryPage.objects.live().datetimes("first_published_at", "month", order="ASC")
    names = ["news", *(f"stories-{month:%Y-%m}" for month in months), "sections", "tags", "authors"]
    return urls + [reverse("sitemap", args=[name]) for name in names] + _syndication_feeds([])


def timed_urls():
    """URLs whose content changes with the clock alone: the news sitemap lists only the last 48 hours."""
    return [reverse("sitemap", args=["news"])]


def all_urls():
    """Every URL public/ holds for the live site."""
    urls = ["/", "/feed/widget/", LIVE_EVENTS]
    urls += [f"/page/{n}/" for n in range(1, feed.newest_page_number() + 1)]
    urls += [story.url for story in StoryPage.objects.live().only("url_path").order_by("path")]
    for model in (Section, Tag, Author):
        for collection in model.objects.all():
            urls += _all_pages_of(collection) + _feeds_of(collection)
    return urls + _syndication_urls()
