"""Sitemaps: every story by month of first publication, the section, tag and author pages, and a Google News
sitemap of the last two days. Listed by the sitemap index at /sitemap.xml.

Stories are split by month so that a publish changes one month's file (and the index only when a month
starts). The Sitemap classes (django.contrib.sitemaps) answer the items, locations and lastmod dates; views.py
writes them out.
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.functional import cached_property
from wagtail import hooks

from bulletin.newsroom import collection_kinds
from bulletin.newsroom.models import StoryPage

from .dates import last_modified
from .locations import site_root, story_location

#: Google News reads only stories published in the last two days
#: (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap).
NEWS_SITEMAP_MAX_AGE = datetime.timedelta(hours=48)
#: At most 1,000 <news:news> entries per sitemap file (same source); the newest are kept.
NEWS_SITEMAP_MAX_STORIES = 1000

#: What a month sitemap and the news sitemap read of each story (rows, not page objects: see locations.py).
STORY_ROW = ("url_path", "first_published_at", "updated_at")
NEWS_ROW = ("pk", "title", "url_path", "first_published_at")


def month_start(year, month):
    """The first instant of ``month`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime(year, month, 1))


def months_with_stories():
    """The first instant of every month (site time zone) in which a live story was first published, oldest first."""
    return list(StoryPage.objects.live().datetimes("first_published_at", "month", order="ASC"))


class MonthSitemap(Sitemap):
    """The live stories first published in one month, oldest first (a new story only ever joins the end)."""

    def __init__(self, start, request=None):
        self.request = request  # Wagtail caches the site's root paths on it, instead of asking once per story
        self.start = start
        self.end = month_start(start.year + start.month // 12, start.month % 12 + 1)

    @property
    def name(self):
        return f"stories-{self.start:%Y-%m}"

    def items(self):
        return (
            StoryPage.objects.live()
            .filter(first_published_at__gte=self.start, first_published_at__lt=self.end)
            .order_by("first_published_at", "pk")
            .values_list(*STORY_ROW, named=True)
        )

    def location(self, story):
        return story_location(self._site_root, story.url_path)

    @cached_property
    def _site_root(self):
        return site_root(self.request)

    def lastmod(self, story):
        return last_modified(story)


class CollectionSitemap(Sitemap):
    """Every page of one collection kind, named by its URL segment (their heads; numbered pages are reached from
    them)."""

    def __init__(self, name):
        self.name, self.kind = name, collection_kinds.by_segment(name)

    def items(self):
        return self.kind.model.objects.order_by("pk").only("slug")

    def location(self, collection):
        return iri_to_uri(self.kind.url(collection))


#: A Wagtail hook: each function returns a Q of stories that are news whatever their age (a live blog while it is
#: live, liveblogs/wagtail_hooks.py). They are listed with the stories of the last 48 hours.
NEWS_SITEMAP_HOOK = "bulletin_news_sitemap_stories"


def news_stories(now):
    """Stories for the Google News sitemap at ``now``: first published in the last 48 hours, or news still by a
    NEWS_SITEMAP_HOOK; newest first.

    One query for each, merged here: in one query, "recent OR still news" read the whole archive to decide
    (160 ms at 100,000 stories on SQLite, with every publish), each alone reads what it finds."""
    stories = StoryPage.objects.live().filter(first_published_at__lte=now).values_list(*NEWS_ROW, named=True)
    found = {
        story.pk: story
        for listed in (
            Q(first_published_at__gt=now - NEWS_SITEMAP_MAX_AGE),
            *(still_news() for still_news in hooks.get_hooks(NEWS_SITEMAP_HOOK)),
        )
        for story in stories.filter(listed).order_by("-first_published_at", "-pk")[:NEWS_SITEMAP_MAX_STORIES]
    }
    newest_first = sorted(found.values(), key=lambda story: (story.first_published_at, story.pk), reverse=True)
    return newest_first[:NEWS_SITEMAP_MAX_STORIES]
