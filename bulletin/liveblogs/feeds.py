"""A live blog's own feeds: its newest entries as RSS 2.0, Atom 1.0 and JSON Feed 1.1, with syndication's
generators (the same three formats as every other feed of the site) and its sanitizing rules."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.utils.html import escape, strip_tags

from bulletin.newsroom.models import PublicationSettings
from bulletin.syndication import dates, generators
from bulletin.syndication.feeds import feed_content

from .structured_data import entry_headline

#: Entries in each feed, newest first.
FEED_SIZE = 20


class EntryFeed(Feed):
    """RSS 2.0; AtomEntryFeed and JsonEntryFeed change only the generator. Called by the blog's routes with the
    blog as ``obj`` (models.py)."""

    feed_type = generators.RssFeed

    def __call__(self, request, blog):
        self._blog = blog
        return super().__call__(request)

    def get_object(self, request):
        return self._blog

    def title(self, blog):
        return blog.title

    def link(self, blog):
        return blog.url

    def description(self, blog):
        return blog.summary

    def get_feed(self, blog, request):
        self._request = request
        generator = super().get_feed(blog, request)
        generator.feed["language"] = PublicationSettings.load(request_or_site=request).language
        return generator

    def items(self, blog):
        entries = list(blog.published_entries()[:FEED_SIZE])
        for entry in entries:
            entry.blog = blog  # their links name the blog's URL: one query, not one per entry
        return entries

    def item_title(self, entry):
        return entry_headline(entry)

    def item_description(self, entry):
        return escape(self._text(entry))

    def item_link(self, entry):
        return f"{entry.blog.url}entries/{entry.pk}/"

    def item_guid(self, entry):
        """A tag: URI (RFC 4151) no edit changes: the site's host, the day it was posted, the entry's id."""
        host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
        return f"tag:{host},{dates.local(entry.posted_at):%Y-%m-%d}:liveblog-entry/{entry.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return dates.local(entry.posted_at)

    def item_updateddate(self, entry):
        return dates.local(entry.updated_at or entry.posted_at)

    def item_extra_kwargs(self, entry):
        request = self._request
        html = render_to_string("liveblogs/feed_entry.html", {"entry": entry}, request=request)
        content = feed_content(html, request)
        author = entry.author
        return {
            "content_html": content,
            "summary_text": self._text(entry),
            "authors": [{"name": author.name, "url": request.build_absolute_uri(author.get_absolute_url())}]
            if author
            else [],
            "image": None,
        }

    @staticmethod
    def _text(entry):
        return " ".join(strip_tags(block.value.source) for block in entry.body if block.block_type == "paragraph")


class AtomEntryFeed(EntryFeed):
    feed_type = generators.AtomFeed


class JsonEntryFeed(EntryFeed):
    feed_type = generators.JsonFeed
