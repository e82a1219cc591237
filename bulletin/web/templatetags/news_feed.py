"""The News Feed's lists: the head for its page (newsroom/news_feed_page.html), and the day each item falls on.

A template tag rather than NewsFeedPage.get_context: the page's model is content (newsroom), and the lists it
shows are read through newsroom.listings, which imports the models; the reader site computes the head here as it
computes the archive pages and the widget (views.py).

Day labels must stay true for as long as a file is cached. Every label is therefore an absolute date with its
weekday ("Friday, Nov. 27"), except "Today", which only files rendered for the head of the feed carry (the News
Feed, the widget, a live item): the publisher renders those again just after midnight in the newsroom's time zone
(plan.timed_urls), and the reader script puts the right word back on any file a cache kept past midnight.
Archive pages are cached for long and never say "Today"; they always give the year, which the head leaves out
for the current year (the midnight render adds it on Jan. 1).
"""

from dataclasses import dataclass
from datetime import date

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date

from bulletin.newsroom import listings

register = template.Library()

TODAY = "Today"
DAY_FORMAT = "l, N j"  # Friday, Nov. 27
DAY_FORMAT_WITH_YEAR = "l, N j, Y"  # Friday, Nov. 27, 2025


@register.simple_tag
def news_feed_head():
    """{"stories": the newest stories, "older_page": the archive page that continues them (None at the end)}."""
    stories = listings.latest()
    return {"stories": stories, "older_page": listings.older_page_number(stories)}


def day_name(day, today=None):
    """The absolute label of ``day`` (a date): "Friday, Nov. 27", with the year unless ``today`` is in the same
    year (no ``today``: always with the year, for files that are cached for long)."""
    with_year = today is None or day.year != today.year
    return format_date(day, DAY_FORMAT_WITH_YEAR if with_year else DAY_FORMAT)


def day_heading(day, today=None):
    """The separator shown above the first story of ``day``: "Today" when ``day`` is ``today``, else day_name."""
    return TODAY if day == today else day_name(day, today)


@dataclass(frozen=True)
class FeedEntry:
    story: object
    #: The story's day in the newsroom's time zone, and its absolute label (the script relabels from these).
    day: date
    day_name: str
    #: The separator text above this story, or "" when the story before it fell on the same day.
    heading: str


def feed_entries(stories, today=None):
    """FeedEntry per story (newest first), with a heading on the first story of each day. ``today`` (the
    newsroom's date) for files rendered for the head; None for files cached for long (archive pages)."""
    entries, previous = [], None
    for story in stories:
        day = timezone.localdate(story.first_published_at)
        heading = day_heading(day, today) if day != previous else ""
        entries.append(FeedEntry(story, day, day_name(day, today), heading))
        previous = day
    return entries


@register.simple_tag
def feed_days(stories, head=False):
    """feed_entries() for a template: ``head`` for the head of the feed (re-rendered at midnight)."""
    return feed_entries(stories, timezone.localdate() if head else None)
