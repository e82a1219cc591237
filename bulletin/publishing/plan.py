"""Which URLs a change touches.

A published, updated or unpublished story touches a bounded set: its own page, the head of the News Feed,
the widget, its archive page, and the head and one page of each section, tag and author it belongs to (or
belonged to). Pages whose content shifts as a whole (a collection's pages after an unpublished story, every
story of an author whose bio changed, every page after a section is renamed) are returned as ``later`` and
rendered in the background.
"""

import dataclasses

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from bulletin.newsroom import feed
from bulletin.newsroom.models import Author, Section, StoryPage, Tag


@dataclasses.dataclass
class Plan:
    now: list
    later: list


@dataclasses.dataclass(frozen=True)
class PublishedState:
    """What public/ shows of a story: its URL and the sections, tags and authors that list it."""

    url: str
    collections: tuple

    @classmethod
    def of(cls, story):
        collections = [story.section, *story.tags.all(), *(b.author for b in story.bylines.all())]
        return cls(url=story.url, collections=tuple(collections))


def _collection_page_url(collection, number):
    return f"{collection.get_absolute_url()}page/{number}/"


def _collection_urls_for(story, collection, present):
    """The pages of ``collection`` that show (or showed) ``story``: the head and its page now, and when the
    story left the collection, every later page (they shift by one) for the background."""
    listing = feed.Listing(feed.stories_of(collection))
    head = collection.get_absolute_url()
    if present:
        return [head, _collection_page_url(collection, listing.page_number_of(story))], []
    older = listing.stories.filter(feed_position__lt=story.feed_position).count() if story.feed_position else 0
    first_shifted = older // feed.LISTING_PAGE_SIZE + 1
    shifted = [_collection_page_url(collection, n) for n in range(first_shifted, listing.page_count() + 2)]
    return [head, *shifted[:1]], shifted[1:]


def _feed_urls_for(story):
    urls = ["/", "/feed/widget/"]
    if story.feed_position:
        urls.append(f"/page/{feed.page_number_of(story.feed_position)}/")
    return urls


def _pages_linking_to(story):
    """Stories whose link cards show this one (Wagtail's reference index records every chooser block)."""
    page_type = ContentType.objects.get_for_model(Page)
    referrer_ids = ReferenceIndex.get_references_to(story).filter(base_content_type=page_type).values_list(
        "object_id", flat=True)
    return [page.url for page in StoryPage.objects.live().filter(pk__in=[int(pk) for pk in referrer_ids])]


def for_story(story, before=None):
    """A story was published or updated; ``before`` is the PublishedState it had, if it was live."""
    after = PublishedState.of(story)
    now, later = [story.url, *_feed_urls_for(story)], _pages_linking_to(story)
    if before and before.url != after.url:
        now.append(before.url)
    current = set(after.collections)
    for collection in dict.fromkeys([*after.collections, *(before.collections if before else ())]):
        urls_now, urls_later = _collection_urls_for(story, collection, present=collection in current)
        now += urls_now
        later += urls_later
    return Plan(now=list(dict.fromkeys(now)), later=list(dict.fromkeys(later)))


def for_removed_story(story, url):
    """A story was unpublished or deleted: its URL, the feed, and every collection that listed it."""
    now, later = [url, *_feed_urls_for(story)], _pages_linking_to(story)
    if story.feed_position:
        # The next newer archive page links to the page that held the story; that link may now skip it.
        now.append(f"/page/{feed.page_number_of(story.feed_position) + 1}/")
    for collection in PublishedState.of(story).collections:
        urls_now, urls_later = _collection_urls_for(story, collection, present=False)
        now += urls_now
        later += urls_later
    return Plan(now=list(dict.fromkeys(now)), later=list(dict.fromkeys(later)))


def _all_pages_of(collection):
    listing = feed.Listing(feed.stories_of(collection))
    return [collection.get_absolute_url(), *(_collection_page_url(collection, n)
                                             for n in range(1, listing.page_count() + 1))]


def for_author(author):
    """An author's name, title, bio or avatar changed: their pages now, every story of theirs later."""
    stories = [story.url for story in feed.stories_of(author)]
    return Plan(now=_all_pages_of(author)[:1], later=_all_pages_of(author)[1:] + stories)


def for_tag(tag):
    return Plan(now=_all_pages_of(tag)[:1], later=_all_pages_of(tag)[1:] + [s.url for s in feed.stories_of(tag)])


def for_section(section):
    """Section names are in every page's navigation: everything, in the background."""
    return Plan(now=[section.get_absolute_url()], later=all_urls())


def all_urls():
    """Every URL public/ holds for the live site."""
    urls = ["/", "/feed/widget/"]
    urls += [f"/page/{n}/" for n in range(1, feed.newest_page_number() + 1)]
    urls += [story.url for story in StoryPage.objects.live().only("url_path").order_by("path")]
    for model in (Section, Tag, Author):
        for collection in model.objects.all():
            urls += _all_pages_of(collection)
    return urls
