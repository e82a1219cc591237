"""The reader's search: /search/ (HTML, works without JavaScript) and /search/search.json (the same results)."""

import datetime
import math

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from bulletin.newsroom.models import Author, Section, StoryPage, Tag

from . import index
from .text import Query, highlight

RESULTS_PER_PAGE = 20
#: A CDN (and the browser, briefly) keeps a results page: a repeated query costs the app nothing for a minute,
#: and a story published meanwhile shows up at most a minute late there (the index itself is current at once).
CACHE_CONTROL = "public, max-age=30, s-maxage=60, stale-while-revalidate=30"
#: Search results are not pages for search engines (NEWS_STANDARDS: no thin or duplicate pages in the index).
ROBOTS = "noindex, follow"


class Search:
    """A reader's request read defensively: every parameter that does not parse is ignored, never an error."""

    def __init__(self, params):
        self.query = Query(params.get("q", ""))
        self.newest = params.get("sort") == "newest"
        self.page = _int(params.get("page"), 1)
        self.section = _find(Section, params.get("section"))
        self.author = _find(Author, params.get("author"))
        self.tag = _find(Tag, params.get("tag"))
        self.since_date = _date(params.get("from"))
        self.until_date = _date(params.get("to"))
        zone = timezone.get_current_timezone()
        self.filters = index.Filters(
            section_id=self.section and self.section.pk,
            author_id=self.author and self.author.pk,
            tag_id=self.tag and self.tag.pk,
            since=self.since_date and datetime.datetime.combine(self.since_date, datetime.time(), zone),
            until=self.until_date
            and datetime.datetime.combine(self.until_date + datetime.timedelta(days=1), datetime.time(), zone),
        )

    def run(self):
        """Stories of this page of results (live ones only), the number of matches and of pages."""
        offset = (self.page - 1) * RESULTS_PER_PAGE
        hits = index.search(self.query, self.filters, newest=self.newest, offset=offset, limit=RESULTS_PER_PAGE)
        # Without the body: the page shows none of it, and reading 20 bodies into StreamValues was a tenth of
        # this query's time (3,000 stories, SQLite).
        stories = StoryPage.objects.live().filter(pk__in=hits.story_ids).select_related("section").defer("body")
        found = {s.pk: s for s in stories}
        stories = [found[pk] for pk in hits.story_ids if pk in found]
        for story in stories:
            story.title_html = mark_safe(highlight(story.title, self.query))  # noqa: S308  (escaped by highlight)
            story.summary_html = mark_safe(highlight(story.summary, self.query))  # noqa: S308
        pages = math.ceil(min(hits.total, index.MAX_RESULTS) / RESULTS_PER_PAGE)
        return stories, hits.total, pages

    def url(self, **changes):
        """This search's URL with ``changes`` to its parameters (None drops one)."""
        from urllib.parse import urlencode

        params = {
            "q": self.query.text,
            "section": self.section and self.section.slug,
            "author": self.author and self.author.slug,
            "tag": self.tag and self.tag.slug,
            "from": self.since_date and self.since_date.isoformat(),
            "to": self.until_date and self.until_date.isoformat(),
            "sort": "newest" if self.newest else None,
            "page": self.page if self.page > 1 else None,
        }
        params.update(changes)
        return "?" + urlencode({k: v for k, v in params.items() if v})


def _int(value, default):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 1 <= number <= 10_000 else default


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _find(model, slug):
    return model.objects.filter(slug=slug).first() if slug and len(slug) <= 120 else None


def _options(model, selected):
    """The <option> elements of a filter's <select>, ``selected`` marked. Built here from two columns rather than
    by a template loop over model instances: for the demo's 200 tags that loop was a quarter of the page's time."""
    chosen = selected and selected.slug
    rows = model.objects.values_list("slug", "name")
    options = ((slug, " selected" if slug == chosen else "", name) for slug, name in rows)
    return format_html_join("", '<option value="{}"{}>{}</option>', options)


def _headers(response):
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Robots-Tag"] = ROBOTS
    return response


def results(request):
    """Results of ?q= (with section, author, tag, from, to, sort and page), or a page that helps when there
    are none."""
    search = Search(request.GET)
    stories, total, pages = search.run() if search.query else ([], 0, 0)
    context = {
        "search": search,
        "query": search.query.text,
        "stories": stories,
        "total": total,
        "more_than": total > index.MAX_RESULTS,
        "max_results": index.MAX_RESULTS,
        "pages": pages,
        "page": search.page,
        "past_the_end": bool(search.query) and total > 0 and search.page > pages,
        "previous_url": search.url(page=search.page - 1) if search.page > 1 else None,
        "next_url": search.url(page=search.page + 1) if search.page < pages else None,
        "relevance_url": search.url(sort=None, page=None),
        "newest_url": search.url(sort="newest", page=None),
        "first_page_url": search.url(page=None),
        "sections": Section.objects.all() if not search.query else (),
        "section_options": _options(Section, search.section),
        "author_options": _options(Author, search.author),
        "tag_options": _options(Tag, search.tag),
    }
    return _headers(render(request, "search/results.html", context))


def results_json(request):
    """The same results as JSON, for an as-you-type box: headline, URL, section, time, highlighted summary."""
    search = Search(request.GET)
    stories, total, pages = search.run() if search.query else ([], 0, 0)
    return _headers(
        JsonResponse(
            {
                "query": search.query.text,
                "total": min(total, index.MAX_RESULTS),
                "more": total > index.MAX_RESULTS,
                "page": search.page,
                "pages": pages,
                "results": [
                    {
                        "title": story.title,
                        "title_html": story.title_html,
                        "url": story.url,
                        "section": story.section.name,
                        "published": timezone.localtime(story.first_published_at).isoformat(timespec="seconds"),
                        "summary": story.summary,
                        "summary_html": story.summary_html,
                    }
                    for story in stories
                ],
            },
            json_dumps_params={"ensure_ascii": False},
        )
    )
