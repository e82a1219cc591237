"""Which URLs a change touches.

A published, updated or unpublished story touches a bounded set: its own page, the head of the News Feed,
the widget, its archive page, and the head and one page of each section, tag and author it belongs to (or
belonged to); the site's feeds and the feeds of those sections, tags and authors; the news sitemap and the
sitemap of the month it was first published in (and the sitemap index when that month gains its first story or
loses its last). Pages whose content shifts as a whole (a collection's pages after an unpublished story, every
story of an author whose bio changed, every page after a section is renamed) are returned as ``later`` and
rendered in the background.

Every URL is built by reverse(): pages, feeds and sitemaps are named here by their URL names (the URLconf),
never imported; the collection kinds (sections, tags, authors) come from newsroom/collection_kinds.py.
"""

import dataclasses
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.models import Page, ReferenceIndex

from bulletin.newsroom import collection_kinds, listings
from bulletin.newsroom.collection_kinds import SECTIONS, paired_with_kinds
from bulletin.newsroom.models import StoryPage


@dataclasses.dataclass
class Plan:
    now: list
    later: list
    #: Rendered right after ``now``, as an entry of its own, so that readers get ``now``'s pages first: the
    #: feeds and sitemaps of a publish take longer to render than its pages.
    next: list = dataclasses.field(default_factory=list)


#: The Wagtail hook through which an app above publishing adds the URLs public/ holds for it (live blogs'
#: numbered pages and feeds): ``fn()`` returns SiteURLs. all_urls() lists them, so `bulletin build` renders them and
#: `build --check` expects them.
SITE_URLS_HOOK = "bulletin_site_urls"

# What a URL of all_urls() shows.
NEWS_FEED, WIDGET, LIVE, ARCHIVE, STORY, COLLECTION, FEED, SITEMAP, ROBOTS = (
    "news feed",
    "widget",
    "live",
    "archive",
    "story",
    "collection",
    "feed",
    "sitemap",
    "robots",
)


class SiteURL(NamedTuple):
    """One URL of the site, and what it shows (one of NEWS_FEED … ROBOTS above)."""

    url: str
    kind: str
    #: A story's slug: `bulletin build` loads the stories of a chunk ahead by it.
    slug: str = ""


@dataclasses.dataclass(frozen=True)
class PublishedState:
    """What public/ shows of a story: its URL and the pages of the sections, tags and authors that list it."""

    url: str
    listed: tuple  # (kind, collection, page number)

    @classmethod
    def of(cls, story):
        listed = []
        for kind, collection in paired_with_kinds(story):
            number = listings.Listing(collection, kind).page_number_of(story)
            if number:
                listed.append((kind, collection, number))
        return cls(url=story.url, listed=tuple(listed))


def _collection_urls(listed):
    """The head and the numbered page of each (kind, collection, page number)."""
    urls = []
    for kind, collection, number in listed:
        urls += [kind.url(collection), kind.url(collection, number)]
    return urls


def _live_events():
    """The live News Feed's polling fallback (the live app's last events): rewritten with every change of the feed."""
    return reverse("live_latest")


def _indexes_of(kinds):
    """The index pages (/sections/, /authors/) of those ``kinds`` that have one."""
    return [kind.index_url() for kind in dict.fromkeys(kinds) if kind.indexed]


def _kinds_recounted(before, after):
    """The kinds whose story counts a change of ``before`` to ``after`` (tuples of (kind, collection, page))
    alters: a collection joined or left. An edit that keeps the story's section and authors changes none, so the
    index pages are not rendered again for it."""
    old = {(kind, collection.pk) for kind, collection, _ in before}
    new = {(kind, collection.pk) for kind, collection, _ in after}
    return [kind for kind, _ in old ^ new]


#: The feed formats of the syndication URLs named feed_<format> and collection_feed_<format>.
FEED_FORMATS = ("rss", "atom", "json")


def _collections_of(stories):
    """(kind, collection) for the sections, tags and authors of ``stories`` (a queryset), whose feeds may list them."""
    lookups = [kind.story_lookup for kind in collection_kinds.KINDS]
    related = [lookup for lookup in lookups if "__" not in lookup and StoryPage._meta.get_field(lookup).many_to_one]
    collections = []
    for story in stories.select_related(*related).prefetch_related(
        *(lookup for lookup in lookups if lookup not in related)
    ):
        collections += paired_with_kinds(story)
    return collections


def _feeds_of(kind, collection):
    return [kind.feed_url(collection, name) for name in FEED_FORMATS]


def _syndication_feeds(collections):
    """The site's feeds and those of each (kind, collection)."""
    urls = [reverse(f"feed_{name}") for name in FEED_FORMATS]
    for kind, collection in dict.fromkeys(collections):
        urls += _feeds_of(kind, collection)
    return urls


def _sitemaps_for(story):
    """The news sitemap and the story's month (in the site's time zone), and the index if that month's sitemap
    appeared or disappeared: it is the only story of its month that is live, or none is left."""
    if story.first_published_at is None:
        return []
    month = timezone.localtime(story.first_published_at)
    urls = [reverse("sitemap", args=["news"]), reverse("sitemap", args=[f"stories-{month:%Y-%m}"])]
    others = (
        StoryPage.objects.live()
        .filter(first_published_at__year=month.year, first_published_at__month=month.month)
        .exclude(pk=story.pk)
    )
    if not others.exists():
        urls.append(reverse("sitemap_index"))
    return urls


def _feed_urls_for(story):
    urls = ["/", reverse("feed_widget"), _live_events()]
    if story.feed_position:
        urls.append(reverse("archive_page", args=[listings.page_number_of(story.feed_position)]))
    return urls


def _pages_linking_to(story):
    """Stories whose link cards show this one (Wagtail's reference index records every chooser block), and the
    feeds that carry those stories' bodies."""
    page_type = ContentType.objects.get_for_model(Page)
    referrer_ids = (
        ReferenceIndex.get_references_to(story).filter(base_content_type=page_type).values_list("object_id", flat=True)
    )
    referrers = StoryPage.objects.live().filter(pk__in=[int(pk) for pk in referrer_ids])
    if not referrers:
        return []
    return [page.url for page in referrers] + _syndication_feeds(_collections_of(referrers))


def for_story(story, before=None):
    """A story was published or updated; ``before`` is the PublishedState it had, if it was live."""
    after = PublishedState.of(story)
    now = [story.url, *_feed_urls_for(story), *_collection_urls(after.listed)]
    collections = [(kind, collection) for kind, collection, _ in after.listed]
    if before:
        now += _collection_urls(before.listed)  # lists it left, or pages whose links show its old headline
        collections += [(kind, collection) for kind, collection, _ in before.listed]
        if before.url != after.url:
            now.append(before.url)
    recounted = _kinds_recounted(before.listed if before else (), after.listed)
    return Plan(
        now=list(dict.fromkeys(now)),
        next=_syndication_feeds(collections) + _sitemaps_for(story) + _indexes_of(recounted),
        later=_pages_linking_to(story),
    )


def for_removed_story(story, url):
    """A story was unpublished or deleted: its URL, the feed, and every list that showed it."""
    listed = PublishedState.of(story).listed
    now = [url, *_feed_urls_for(story), *_collection_urls(listed)]
    if story.feed_position:
        # The next newer archive page links to the page that held the story; that link may now skip it.
        now.append(reverse("archive_page", args=[listings.page_number_of(story.feed_position) + 1]))
    return Plan(
        now=list(dict.fromkeys(now)),
        next=(
            _syndication_feeds((kind, collection) for kind, collection, _ in listed)
            + _sitemaps_for(story)
            + _indexes_of(kind for kind, _, _ in listed)
        ),
        later=_pages_linking_to(story),
    )


def _all_pages_of(kind, collection):
    listing = listings.Listing(collection, kind)
    pages = _collection_urls([(kind, collection, n) for n in range(1, listing.page_count() + 1)])
    return list(dict.fromkeys([kind.url(collection), *pages]))


def _feeds_showing(kind, collection):
    """The feeds that may list a story of ``collection``: the site's and those of every section, tag and author
    of its stories (their items name the authors, section and tags)."""
    return _syndication_feeds([(kind, collection), *_collections_of(listings.stories_of(collection, kind))])


def for_collection(kind, collection):
    """The name or description of a tag or author (their bio, avatar…) changed: its pages and feeds now, every
    story of it and every feed that lists one later."""
    pages = _all_pages_of(kind, collection)
    stories = [story.url for story in listings.stories_of(collection, kind)]
    return Plan(
        now=pages[:1] + _feeds_of(kind, collection) + [reverse("sitemap", args=[kind.segment]), *_indexes_of([kind])],
        later=pages[1:] + stories + _feeds_showing(kind, collection),
    )


def urls_of(kind, collection):
    """Every URL of a section, tag or author in public/: its head, its numbered pages and its feeds."""
    return _all_pages_of(kind, collection) + _feeds_of(kind, collection)


def for_section(section):
    """Section names are in every page's navigation: everything, in the background."""
    return Plan(
        now=[SECTIONS.url(section), reverse("sitemap", args=[SECTIONS.segment]), *_indexes_of([SECTIONS])],
        later=_urls(all_urls()),
    )


def for_breaking_news():
    """The banner changed: the one file every reader page reads it from, the live events that carry it to open
    pages, and the News Feed head and widget, which name the newest event for their pages to resume from. Nothing
    else: no page contains the banner, so its cost does not grow with the archive."""
    return Plan(now=[reverse("live_banner"), _live_events(), "/", reverse("feed_widget")], later=[])


def for_publication():
    """The publication's name or language is on every page, feed and the news sitemap: everything, in the
    background."""
    return Plan(now=[], later=_urls(all_urls()))


def _urls(entries):
    return [entry.url for entry in entries]


def _syndication_urls():
    """robots.txt, every sitemap, and the site's feeds (the collections' feeds are listed with their pages)."""
    urls = [SiteURL(reverse("robots_txt"), ROBOTS), SiteURL(reverse("sitemap_index"), SITEMAP)]
    months = StoryPage.objects.live().datetimes("first_published_at", "month", order="ASC")
    names = [
        "news",
        *(f"stories-{month:%Y-%m}" for month in months),
        *(kind.segment for kind in collection_kinds.KINDS),
    ]
    urls += [SiteURL(reverse("sitemap", args=[name]), SITEMAP) for name in names]
    return urls + [SiteURL(url, FEED) for url in _syndication_feeds([])]


def head_urls():
    """The News Feed and its widget: the files that call today's stories "Today" (web's news_feed tags)."""
    return ["/", reverse("feed_widget")]


def timed_urls(now, previous=None):
    """URLs whose content changes with the clock alone, at ``now``: the news sitemap lists only the last 48
    hours; the head of the News Feed names today's day, so it is due again when the newsroom's date at ``now``
    differs from its date at ``previous`` (the last time they were rendered; None: unknown, render them)."""
    urls = [reverse("sitemap", args=["news"])]
    if previous is None or timezone.localdate(previous) != timezone.localdate(now):
        urls += head_urls()
    return urls


def all_urls():
    """Every URL public/ holds for the live site, as SiteURLs."""
    urls = [
        SiteURL("/", NEWS_FEED),
        SiteURL(reverse("feed_widget"), WIDGET),
        SiteURL(_live_events(), LIVE),
        SiteURL(reverse("live_banner"), LIVE),
    ]
    urls += [SiteURL(reverse("archive_page", args=[n]), ARCHIVE) for n in range(1, listings.newest_page_number() + 1)]
    urls += [
        SiteURL(story.url, STORY, story.slug)
        for story in StoryPage.objects.live().only("url_path", "slug").order_by("path")
    ]
    urls += [SiteURL(url, COLLECTION) for url in _indexes_of(collection_kinds.KINDS)]
    for kind in collection_kinds.KINDS:
        for collection in kind.model.objects.all():
            urls += [SiteURL(url, COLLECTION) for url in _all_pages_of(kind, collection)]
            urls += [SiteURL(url, FEED) for url in _feeds_of(kind, collection)]
    for more in hooks.get_hooks(SITE_URLS_HOOK):
        urls += more()
    return urls + _syndication_urls()
