"""The sitemap index, the sitemaps, the Google News sitemap and robots.txt.

When the app answers them itself (before the publisher wrote their files), every view here sends an ETag and
answers 304 on a match, as the feeds do (they also send Last-Modified); the static servers do the same for files.
"""

from django.contrib.sites.requests import RequestSite
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import conditional_page

from bulletin.newsroom.models import PublicationSettings

from . import dates, sitemaps

XML = "application/xml; charset=utf-8"


def _absolute(request, url):
    return request.build_absolute_uri(url)


@conditional_page
def sitemap_index(request):
    """The news sitemap, one sitemap per month with stories, and the sections, tags and authors."""
    months = [f"stories-{month:%Y-%m}" for month in sitemaps.months_with_stories()]
    names = ["news", *months, *sitemaps.COLLECTIONS]
    locations = [_absolute(request, reverse("sitemap", args=[name])) for name in names]
    return TemplateResponse(request, "syndication/sitemap_index.xml", {"locations": locations}, content_type=XML)


def _sitemap_for(name, request):
    if name in sitemaps.COLLECTIONS:
        return sitemaps.CollectionSitemap(name)
    year, month = name.removeprefix("stories-").split("-")
    return sitemaps.MonthSitemap(sitemaps.month_start(int(year), int(month)), request)


@conditional_page
def sitemap(request, name):
    """One month's stories (404 when it has none) or every section, tag or author page."""
    if name == "news":
        return news_sitemap(request)
    sitemap = _sitemap_for(name, request)
    urls = [{"location": url["location"],
             "lastmod": dates.w3c(url["lastmod"]) if url["lastmod"] else None}
            for url in sitemap.get_urls(site=RequestSite(request), protocol=request.scheme)]
    if not urls and isinstance(sitemap, sitemaps.MonthSitemap):
        raise Http404("No stories were first published in that month.")
    return TemplateResponse(request, "syndication/sitemap.xml", {"urls": urls}, content_type=XML)


def news_sitemap(request):
    """Google News: the stories of the last 48 hours, with the publication's name and language."""
    stories, root = sitemaps.news_stories(timezone.now()), sitemaps.site_root(request)
    entries = [{"location": _absolute(request, sitemaps.story_location(root, story.url_path)), "title": story.title,
                "published": dates.w3c(story.first_published_at)} for story in stories]
    return TemplateResponse(request, "syndication/news_sitemap.xml", {
        "entries": entries, "publication": PublicationSettings.load(request_or_site=request),
    }, content_type=XML)


@conditional_page
def robots_txt(request):
    """Every reader page may be crawled; the admin is private; the sitemap index lists the rest."""
    return TemplateResponse(request, "syndication/robots.txt", {
        "sitemap_index": _absolute(request, reverse("sitemap_index")),
    }, content_type="text/plain; charset=utf-8")
