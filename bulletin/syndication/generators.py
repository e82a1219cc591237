"""The three feed formats, as Django feed generators: RSS 2.0 and Atom 1.0 extended with what news readers
use (the full story, every author, the feature image), and JSON Feed 1.1 as one more generator.

Feed classes (feeds.py) pass each item's extras to ``add_item``: ``content_html`` (the rendered body),
``summary_text`` (the summary as plain text), ``authors`` (a list of {"name", "url"}) and ``image`` (an
images.Image or None).
"""

import datetime
import json

from django.utils import feedgenerator
from django.utils.feedgenerator import rfc3339_date

#: An empty feed has no newest item to date it by; Django would use the current time, so every build would
#: rewrite the file. Nothing was published in it, so any fixed instant is true.
EMPTY_FEED_UPDATED = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class _StableDates:
    def latest_post_date(self):
        return super().latest_post_date() if self.items else EMPTY_FEED_UPDATED


class RssFeed(_StableDates, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with content:encoded for the full story, one dc:creator per author and media:content."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
            "xmlns:media": "http://search.yahoo.com/mrss/",
        }

    def add_root_elements(self, handler):
        # Django writes <atom:link rel="self"> without the type the RSS Board profile asks for: write it here.
        feed_url, self.feed["feed_url"] = self.feed["feed_url"], None
        try:
            super().add_root_elements(handler)
        finally:
            self.feed["feed_url"] = feed_url
        handler.addQuickElement("atom:link", None, {"href": feed_url, "rel": "self", "type": "application/rss+xml"})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["authors"]:
            # RSS's own <author> must be an e-mail address; Dublin Core's creator is the name (RSS Board profile).
            handler.addQuickElement("dc:creator", author["name"])
        handler.addQuickElement("content:encoded", item["content_html"])
        image = item["image"]
        if image:
            handler.startElement(
                "media:content",
                {
                    "url": image.url,
                    "type": image.mime_type,
                    "medium": "image",
                    "fileSize": str(image.length),
                    "width": str(image.width),
                    "height": str(image.height),
                },
            )
            if image.alt:
                handler.addQuickElement("media:description", image.alt, {"type": "plain"})
            handler.endElement("media:content")


class AtomFeed(_StableDates, feedgenerator.Atom1Feed):
    """Atom 1.0 with the full story as content, one author element per author."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", author["name"])
            handler.addQuickElement("uri", author["url"])
            handler.endElement("author")
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class JsonFeed(_StableDates, feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

    content_type = "application/feed+json; charset=utf-8"
    version = "https://jsonfeed.org/version/1.1"

    def write(self, outfile, encoding):
        feed = {
            "version": self.version,
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            "items": [self._item(item) for item in self.items],
        }
        # Sorted keys and a fixed layout keep the file byte-for-byte stable between builds.
        outfile.write(json.dumps(feed, ensure_ascii=False, indent=1, sort_keys=True))

    @staticmethod
    def _item(item):
        entry = {
            "id": item["unique_id"],
            "url": item["link"],
            "title": item["title"],
            "summary": item["summary_text"],
            "content_html": item["content_html"],
            "date_published": rfc3339_date(item["pubdate"]),
            "date_modified": rfc3339_date(item["updateddate"]),
            "authors": [{"name": a["name"], "url": a["url"]} for a in item["authors"]],
            "tags": list(item["categories"]),
        }
        if item["image"]:
            entry["image"] = item["image"].url
        return entry
