"""The News Feed's queries and its stable pagination.

Archive pages are numbered from the oldest story: page k holds the stories whose feed position is in
((k-1)·FEED_PAGE_SIZE, k·FEED_PAGE_SIZE]. A new story only ever lands on the newest page, so the URL of an
older page keeps showing the same stories (the static publisher relies on this). Every query here walks the
feed_position index instead of sorting the archive.
"""

from django.db.models import Max

from .models import Author, Byline, Section, StoryPage, Tag

#: Stories on one archive page, in the widget, and per "Show More".
FEED_PAGE_SIZE = 10


#: What a feed item or story card shows; loading only these columns halved the time of a listing page.
LISTED_FIELDS = ("title", "slug", "url_path", "path", "depth", "locale_id", "summary", "first_published_at",
                 "updated_at", "feed_position", "live", "section_id")


def feed_stories():
    """Live stories newest first, with only the columns a feed item or story card shows."""
    return StoryPage.objects.in_feed().only(*LISTED_FIELDS)


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


def stories_of(collection):
    """Live stories of a Section, Tag or Author, newest first."""
    if isinstance(collection, Section):
        return feed_stories().filter(section=collection)
    if isinstance(collection, Tag):
        return feed_stories().filter(tags=collection)
    if isinstance(collection, Author):
        return feed_stories().filter(pk__in=Byline.objects.filter(author=collection).values("page_id"))
    raise TypeError(f"not a collection of stories: {collection!r}")


#: Stories on one page of a section, tag or author.
LISTING_PAGE_SIZE = 20


class Listing:
    """The stories of one section, tag or author, paginated from the oldest like the News Feed.

    Page k holds the k-th group of LISTING_PAGE_SIZE stories counted from the oldest, so a new story only
    changes the newest page and the head. (Unpublishing a story shifts the pages after it; the publisher
    re-renders those in the background.)
    """

    def __init__(self, stories):
        self.stories = stories  # a feed_stories() queryset filtered to the section, tag or author

    def head(self):
        """The newest LISTING_PAGE_SIZE stories."""
        return list(self.stories[:LISTING_PAGE_SIZE])

    def page_count(self):
        return -(-self.stories.count() // LISTING_PAGE_SIZE)

    def page(self, number):
        """Page ``number`` (1 = oldest), newest first; empty when out of range."""
        if number < 1:
            return []
        start = (number - 1) * LISTING_PAGE_SIZE
        return list(reversed(self.stories.order_by("feed_position")[start:start + LISTING_PAGE_SIZE]))

    def page_number_of(self, story):
        """The page that holds ``story``."""
        older_or_same = self.stories.filter(feed_position__lte=story.feed_position).count()
        return -(-older_or_same // LISTING_PAGE_SIZE)

    def older_page_number(self, shown):
        """The page holding the next story older than everything in ``shown`` (None at the end)."""
        if not shown:
            return None
        oldest = min(story.feed_position for story in shown)
        next_older = self.stories.filter(feed_position__lt=oldest).first()
        return self.page_number_of(next_older) if next_older else None
