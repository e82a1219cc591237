"""The <head> of a live blog's pages: its LiveBlogPosting data and the discovery links of its own feeds."""

from django import template
from django.utils.html import format_html_join

from bulletin.newsroom.models import PublicationSettings
from bulletin.syndication import structured_data

from ..structured_data import live_blog_posting as live_blog_posting_data

register = template.Library()


@register.simple_tag(takes_context=True)
def live_blog_posting(context, page, entries):
    request = context["request"]
    publication = context.get("publication") or PublicationSettings.load(request_or_site=request)
    return live_blog_posting_data(page, entries, request, publication, structured_data.news_article)


@register.simple_tag(takes_context=True)
def live_blog_feed_links(context, page):
    request = context["request"]
    links = [
        ("application/rss+xml", "RSS", "rss.xml"),
        ("application/atom+xml", "Atom", "atom.xml"),
        ("application/feed+json", "JSON Feed", "feed.json"),
    ]
    return format_html_join(
        "\n",
        '<link rel="alternate" type="{}" title="{}" href="{}">',
        (
            (kind, f"{page.title} ({label})", request.build_absolute_uri(f"{page.url}{name}"))
            for kind, label, name in links
        ),
    )
