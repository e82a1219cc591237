"""The reader site's answers to Wagtail hooks, found by Wagtail in every app's wagtail_hooks module."""

from django.template.loader import render_to_string
from django.utils import timezone
from wagtail import hooks

from bulletin.live.events import FEED_ITEM_HOOK

from .templatetags.news_feed import feed_entries


@hooks.register(FEED_ITEM_HOOK)
def feed_item_html(story, compact):
    """A story's News Feed item for a live event: the template the News Feed and the widget render, so an item
    added live matches one rendered there. It carries its day's heading; the reader script drops it when the
    story before it falls on the same day."""
    entry = feed_entries([story], timezone.localdate())[0]
    context = {"entry": entry, "compact": True, "heading": "h4", "day_heading": "h3"} if compact else {"entry": entry}
    return render_to_string("web/includes/feed_item.html", context).strip()
