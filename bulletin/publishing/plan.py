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


def _feed_urls_for(story):
    urls = ["/", "/feed/widget/", LIVE_EVENTS]
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
    now = [story.url, *_feed_urls_for(story), *_collection_urls(after.listed)]
    if before:
        now += _collection_urls(before.listed)  # lists it left, or pages whose links show its old headline
        if before.url != after.url:
            now.append(before.url)
    return Plan(now=list(dict.fromkeys(now)), later=_pages_linking_to(story))


def for_removed_story(story, url):
    """A story was unpublished or deleted: its URL, the feed, and every list that showed it."""
    now = [url, *_feed_urls_for(story), *_collection_urls(PublishedState.of(story).listed)]
    if story.feed_position:
        # The next newer archive page links to the page that held the story; that link may now skip it.
        now.append(f"/page/{feed.page_number_of(story.feed_position) + 1}/")
    return Plan(now=list(dict.fromkeys(now)), later=_pages_linking_to(story))


def _all_pages_of(collection):
    listing = feed.Listing(collection)
    pages = _collection_urls([(collection, n) for n in range(1, listing.page_count() + 1)])
    return list(dict.fromkeys([collection.get_absolute_url(), *pages]))


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
    urls = ["/", "/feed/widget/", LIVE_EVENTS]
    urls += [f"/page/{n}/" for n in range(1, feed.newest_page_number() + 1)]
    urls += [story.url for story in StoryPage.objects.live().only("url_path").order_by("path")]
    for model in (Section, Tag, Author):
        for collection in model.objects.all():
            urls += _all_pages_of(collection)
    return urls
