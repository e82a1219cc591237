"""The reader site's answers to Wagtail hooks, found by Wagtail in every app's wagtail_hooks module."""

from django.template.loader import render_to_string
from wagtail import hooks

from bulletin.live.events import FEED_ITEM_HOOK


@hooks.register(FEED_ITEM_HOOK)
def feed_item_html(story, compact):
    """A story's News Feed item for a live event: the template the News Feed and the widget render, so an item
    added live matches one rendered there."""
    context = {"story": story, "compact": True, "heading": "h3"} if compact else {"story": story}
    return render_to_string("web/includes/feed_item.html", context).strip()
