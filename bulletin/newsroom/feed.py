"""The News Feed's queries and its stable pagination.

Archive pages are numbered from the oldest story: page k holds the stories whose feed position is in
((k-1)·FEED_PAGE_SIZE, k·FEED_PAGE_SIZE]. A new story only ever lands on the newest page, so the URL of an
older page keeps showing the same stories (the static publisher relies on this). Every query here walks the
feed_position index instead of sorting the archive.
"""

from django.db.models import Max, Prefetch

from .models import Byline, StoryPage

#: Stories on one archive page, in the widget, and per "Show More".
FEED_PAGE_SIZE = 10


def feed_stories():
    """Live stories newest first, with what a feed item shows loaded in as few queries as possible."""
    return (
        StoryPage.objects.in_feed()
        .select_related("section", "feature_image")
    )


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


def with_bylines(queryset):
    """``queryset`` with bylines and their authors prefetched in byline order."""
    return queryset.prefetch_related(
        Prefetch("bylines", queryset=Byline.objects.select_related("author__avatar").order_by("sort_order"))
    )
