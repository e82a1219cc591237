"""The head of the News Feed for its page (newsroom/news_feed_page.html).

A template tag rather than NewsFeedPage.get_context: the page's model is content (newsroom), and the lists it
shows are read through newsroom.listings, which imports the models; the reader site computes the head here as it
computes the archive pages and the widget (views.py).
"""

from django import template

from bulletin.newsroom import listings

register = template.Library()


@register.simple_tag
def news_feed_head():
    """{"stories": the newest stories, "older_page": the archive page that continues them (None at the end)}."""
    stories = listings.latest()
    return {"stories": stories, "older_page": listings.older_page_number(stories)}
