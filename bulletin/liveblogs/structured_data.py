"""LiveBlogPosting (schema.org) for a live blog's pages, as Google reads it
(https://developers.google.com/search/docs/appearance/structured-data/article#live-blog, schema.org/LiveBlogPosting):
the story's NewsArticle data as a LiveBlogPosting, with when coverage started (and ended), and the entries the
page shows as BlogPosting updates, each with the URL of its anchor. The numbered older pages and the key events
carry it too, with their own entries."""

from django.utils.html import strip_tags
from django.utils.text import Truncator

from bulletin.syndication import dates

#: Google shows at most 110 characters of a headline; an entry without one is named by its first words.
HEADLINE_MAX = 110


def entry_headline(entry):
    if entry.headline:
        return entry.headline
    text = " ".join(strip_tags(block.value.source) for block in entry.body if block.block_type == "paragraph")
    return Truncator(text).chars(HEADLINE_MAX) or f"Update {entry.position}"


def live_blog_posting(blog, entries, request, publication, news_article):
    data = news_article(blog, request, publication)
    data["@type"] = "LiveBlogPosting"
    if blog.first_published_at:
        data["coverageStartTime"] = dates.w3c(blog.first_published_at)
    if blog.coverage_ended_at:
        data["coverageEndTime"] = dates.w3c(blog.coverage_ended_at)
    # The newest change among the entries shown, not the blog's Updated time: an older page's data must not
    # change when entries arrive (it is rendered once, models.py).
    changes = [entry.updated_at or entry.posted_at for entry in entries]
    if changes:
        data["dateModified"] = dates.w3c(max(changes))
    elif blog.first_published_at:
        data["dateModified"] = dates.w3c(blog.first_published_at)
    page_url = request.build_absolute_uri(request.path)
    data["liveBlogUpdate"] = [
        {
            "@type": "BlogPosting",
            "headline": entry_headline(entry),
            "datePublished": dates.w3c(entry.posted_at),
            **({"dateModified": dates.w3c(entry.updated_at)} if entry.updated_at else {}),
            "url": f"{page_url}#{entry.anchor}",
            **({"author": {"@type": "Person", "name": entry.author.name}} if entry.author else {}),
        }
        for entry in entries
    ]
    return data
