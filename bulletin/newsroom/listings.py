"""The News Feed's queries and its stable pagination.

Archive pages are numbered from the oldest story: page k holds the stories whose feed position is in
((k-1)·FEED_PAGE_SIZE, k·FEED_PAGE_SIZE]. A new story only ever lands on the newest page, so the URL of an
older page keeps showing the same stories (the static publisher relies on this). Every query here walks the
feed_position index instead of sorting the archive.
"""

from django.db.models import F, Max

from . import collection_kinds
from .models import ListingCount, ListingEntry, StoryPage

#: Stories on one archive page, in the widget, and per "Show More".
FEED_PAGE_SIZE = 10


#: What a feed item or story card shows; loading only these columns halved the time of a listing page.
LISTED_FIELDS = (
    "title",
    "slug",
    "url_path",
    "path",
    "depth",
    "locale_id",
    "summary",
    "first_published_at",
    "updated_at",
    "feed_position",
    "live",
    "section__name",
    "section__slug",
    "feature_image",
)


def feed_stories():
    """Live stories newest first, with only the columns a feed item or story card shows, their section (its label)
    and feature image (the thumbnail) joined in."""
    return StoryPage.objects.in_feed().select_related("section", "feature_image").only(*LISTED_FIELDS)


def latest(count=FEED_PAGE_SIZE):
    """The ``count`` newest stories."""
    return list(feed_stories()[:count])


def page_number_of(position):
    """The archive page that holds the story at feed ``position``."""
    return (position - 1) // FEED_PAGE_SIZE + 1


def newest_page_number():
    """The number of the newest archive page (0 when nothing is published)."""
    top = StoryPage.objects.in_feed().aggregate(top=Max("feed_position"))["top"]
    return page_number_of(top) if top else 0


def archive_page(number):
    """The stories on archive page ``number``, newest first."""
    low, high = (number - 1) * FEED_PAGE_SIZE, number * FEED_PAGE_SIZE
    return list(feed_stories().filter(feed_position__gt=low, feed_position__lte=high))


def older_page_number(stories):
    """The archive page holding the next story older than the oldest of ``stories`` (None at the end)."""
    if not stories:
        return None
    oldest = min(story.feed_position for story in stories)
    next_older = StoryPage.objects.in_feed().filter(feed_position__lt=oldest).values_list("feed_position", flat=True)
    position = next_older.first()
    return page_number_of(position) if position else None


def stories_of(collection, kind=None):
    """Live stories of a section, tag or author (of ``kind``, by default its model's), newest first."""
    kind = kind or collection_kinds.kind_of(collection)
    return feed_stories().filter(**{kind.story_lookup: collection})


def story_counts(kind):
    """{collection id: number of live stories} for the collections of ``kind``, for an index page: one row per
    collection, kept as stories are published and unpublished (ListingCount), so its cost does not grow with the
    archive (bench/breaking_news.py measures it)."""
    return dict(ListingCount.objects.filter(kind=kind.name).values_list("collection_id", "live_stories"))


#: Stories on one page of a section, tag or author.
LISTING_PAGE_SIZE = 20


class Listing:
    """The stories of one section, tag or author, paginated by their fixed place in its list (ListingEntry).

    Page k holds positions ((k-1)·LISTING_PAGE_SIZE, k·LISTING_PAGE_SIZE], so a new story only changes the
    newest page and the head, and every query here reads the (kind, collection, position) index: the cost of a
    page does not grow with the archive.
    """

    def __init__(self, collection, kind=None):
        self.collection = collection
        #: The CollectionKind listed (by default the kind of the collection's model).
        self.kind = kind or collection_kinds.kind_of(collection)
        self.entries = ListingEntry.objects.filter(kind=self.kind.name, collection_id=collection.pk)

    def _stories(self, entries):
        return list(
            feed_stories()
            .filter(listing_entries__in=entries)
            .annotate(listing_position=F("listing_entries__position"))
            .order_by("-listing_entries__position")
        )

    def _live_entries(self):
        return self.entries.filter(story__live=True)

    def head(self):
        """The newest LISTING_PAGE_SIZE stories."""
        return self._stories(self._live_entries().order_by("-position")[:LISTING_PAGE_SIZE])

    def head_story_ids(self):
        """The ids of the head's stories, newest first."""
        return list(
            self._live_entries()
            .filter(story__feed_position__isnull=False)
            .order_by("-position")
            .values_list("story_id", flat=True)[:LISTING_PAGE_SIZE]
        )

    def page_count(self):
        top = self._live_entries().aggregate(top=Max("position"))["top"]
        return self.page_number_of_position(top) if top else 0

    def page(self, number):
        """Page ``number`` (1 = oldest), newest first; empty when out of range."""
        if number < 1:
            return []
        low, high = (number - 1) * LISTING_PAGE_SIZE, number * LISTING_PAGE_SIZE
        return self._stories(self.entries.filter(position__gt=low, position__lte=high))

    @staticmethod
    def page_number_of_position(position):
        return (position - 1) // LISTING_PAGE_SIZE + 1

    def page_number_of(self, story):
        """The page that holds ``story`` (None if the story is not in this list)."""
        position = self.entries.filter(story=story).values_list("position", flat=True).first()
        return self.page_number_of_position(position) if position else None

    def older_page_number(self, shown):
        """The page holding the next live story older than everything in ``shown`` (None at the end)."""
        if not shown:
            return None
        oldest = min(story.listing_position for story in shown)
        position = (
            self._live_entries()
            .filter(position__lt=oldest)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        return self.page_number_of_position(position) if position else None
