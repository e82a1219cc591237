"""The sitemap index, the sitemaps, the Google News sitemap and robots.txt.

When the app answers them itself (before the publisher wrote their files), every view here sends an ETag and
answers 304 on a match, as the feeds do (they also send Last-Modified); the static servers do the same for files.
"""

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import conditional_page

from bulletin.newsroom import collection_kinds
from bulletin.newsroom.models import PublicationSettings

from . import dates, locations, sitemaps

XML = "application/xml; charset=utf-8"


def _absolute(request, url):
    return request.build_absolute_uri(url)


def _origin(request):
    """The scheme and host that absolute paths are appended to. A sitemap lists a thousand URLs and more, and
    build_absolute_uri parses each one it is given: a third of a month's sitemap's time."""
    return request.build_absolute_uri("/").removesuffix("/")


@conditional_page
def sitemap_index(request):
    """The news sitemap, one sitemap per month with stories, and the sections, tags and authors."""
    months = [f"stories-{month:%Y-%m}" for month in sitemaps.months_with_stories()]
    names = ["news", *months, *(kind.segment for kind in collection_kinds.KINDS)]
    locations = [_absolute(request, reverse("sitemap", args=[name])) for name in names]
    return TemplateResponse(request, "syndication/sitemap_index.xml", {"locations": locations}, content_type=XML)


def _sitemap_for(name, request):
    if name in (kind.segment for kind in collection_kinds.KINDS):
        return sitemaps.CollectionSitemap(name)
    year, month = name.removeprefix("stories-").split("-")
    return sitemaps.MonthSitemap(sitemaps.month_start(int(year), int(month)), request)


#: The story sitemaps are written out here rather than by a template: Django's template engine spent about 25 µs
#: on each URL, and a month's sitemap (a thousand URLs and more) and the news sitemap are rendered with every
#: publish (bench/README.md).
URLSET = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{}>\n'
NEWS_NAMESPACE = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def _urlset(elements, namespaces=""):
    return HttpResponse("".join([URLSET.format(namespaces), *elements, "</urlset>\n"]), content_type=XML)


@conditional_page
def sitemap(request, name):
    """One month's stories (404 when it has none) or every section, tag or author page."""
    if name == "news":
        return news_sitemap(request)
    sitemap = _sitemap_for(name, request)
    lastmod, origin = getattr(sitemap, "lastmod", None), _origin(request)
    elements = [
        f"<url><loc>{escape(origin + sitemap.location(item))}</loc>"
        f"{f'<lastmod>{dates.w3c(lastmod(item))}</lastmod>' if lastmod else ''}</url>\n"
        for item in sitemap.items()
    ]
    if not elements and isinstance(sitemap, sitemaps.MonthSitemap):
        raise Http404("No stories were first published in that month.")
    return _urlset(elements)


def news_sitemap(request):
    """Google News: the stories of the last 48 hours, with the publication's name and language."""
    stories, root, origin = sitemaps.news_stories(timezone.now()), locations.site_root(request), _origin(request)
    publication = PublicationSettings.load(request_or_site=request)
    source = (
        f"<news:publication><news:name>{escape(publication.name)}</news:name>"
        f"<news:language>{escape(publication.language)}</news:language></news:publication>"
    )
    return _urlset(
        [
            f"<url><loc>{escape(origin + locations.story_location(root, story.url_path))}</loc>"
            f"<news:news>{source}<news:publication_date>{dates.w3c(story.first_published_at)}"
            f"</news:publication_date><news:title>{escape(story.title)}</news:title></news:news></url>\n"
            for story in stories
        ],
        NEWS_NAMESPACE,
    )


@conditional_page
def robots_txt(request):
    """Every reader page may be crawled; the admin is private; the sitemap index lists the rest."""
    return TemplateResponse(
        request,
        "syndication/robots.txt",
        {
            "sitemap_index": _absolute(request, reverse("sitemap_index")),
        },
        content_type="text/plain; charset=utf-8",
    )
