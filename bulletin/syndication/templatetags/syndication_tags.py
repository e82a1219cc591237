"""The <head> of reader pages as machines read it: canonical URL, feed discovery links, Open Graph and X card
tags, schema.org JSON-LD. Loaded by the reader site's templates."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from bulletin.newsroom import collection_kinds
from bulletin.newsroom.models import Author, PublicationSettings, StoryPage

from .. import structured_data

register = template.Library()

#: Format → (media type, label) of the feeds each discovery link names.
FEED_TYPES = {
    "rss": ("application/rss+xml", "RSS"),
    "atom": ("application/atom+xml", "Atom"),
    "json": ("application/feed+json", "JSON Feed"),
}


@register.simple_tag(takes_context=True)
def canonical_url(context):
    return structured_data.page_url(context["request"])


def _feed_url(collection, feed_format):
    """The site's feed in ``feed_format`` (rss, atom, json), or ``collection``'s."""
    if collection is None:
        return reverse(f"feed_{feed_format}")
    return collection_kinds.kind_of(collection).feed_url(collection, feed_format)


def _feed_links(request, title, collection):
    links = [
        (media_type, f"{title} ({label})", request.build_absolute_uri(_feed_url(collection, name)))
        for name, (media_type, label) in FEED_TYPES.items()
    ]
    return format_html_join("\n", '<link rel="alternate" type="{}" title="{}" href="{}">', links)


@register.inclusion_tag("syndication/follow.html", takes_context=True)
def follow_links(context, collection=None):
    """The visible "Follow" area: links to the RSS, Atom and JSON feeds of the site, or of a section, tag or
    author, for readers who subscribe in a feed reader (the <link> tags in the head are for software)."""
    name = collection.name if collection is not None else context.get("site_name", "")
    feeds = [(_feed_url(collection, key), media_type, label) for key, (media_type, label) in FEED_TYPES.items()]
    return {"name": name, "feeds": feeds}


@register.simple_tag(takes_context=True)
def page_metadata(context, title, description, subject=None, feeds=False, article=None):
    """Everything machines read in a page's head. ``subject`` is the story, or the section, tag or author the
    page lists; ``feeds`` adds discovery links to the site's feeds (or the subject's). ``article`` replaces the
    story's NewsArticle data (a live blog gives its LiveBlogPosting)."""
    request = context["request"]
    publication = context.get("publication") or PublicationSettings.load(request_or_site=request)
    story = subject if isinstance(subject, StoryPage) else None
    collection = subject if subject is not None and story is None else None
    parts = [format_html('<link rel="canonical" href="{}">', structured_data.page_url(request, story))]
    if feeds:
        feed_title = publication.name if collection is None else f"{collection.name} · {publication.name}"
        parts.append(_feed_links(request, feed_title, collection))
    og_type = "article" if story else "profile" if isinstance(collection, Author) else "website"
    tags = structured_data.preview_tags(request, publication, title, description, og_type, story)
    parts.append(format_html_join("\n", '<meta {}="{}" content="{}">', tags))
    if story is not None:
        parts.append(structured_data.json_ld(article or structured_data.news_article(story, request, publication)))
        parts.append(structured_data.json_ld(structured_data.breadcrumbs(story, request)))
    elif article:
        parts.append(structured_data.json_ld(article))
    elif isinstance(collection, Author):
        parts.append(structured_data.json_ld(structured_data.profile_page(collection, request)))
    return mark_safe("\n".join(parts))
