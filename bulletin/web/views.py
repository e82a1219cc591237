"""Reader pages that are not Wagtail pages: the archive of the News Feed, the widget fragment,
and the section, tag and author pages."""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from bulletin.newsroom import feed
from bulletin.newsroom.models import Author, Section, StoryPage, Tag

#: Stories per page on section, tag and author pages.
LISTING_PAGE_SIZE = 20


def archive_page(request, number):
    """Page ``number`` of the News Feed, counted from the oldest story (stable as new stories arrive)."""
    stories = feed.archive_page(number)
    if not stories and not 0 < number <= feed.newest_page_number():
        raise Http404("No such page of the News Feed.")
    return render(request, "web/archive_page.html", {
        "number": number, "stories": stories, "older_page": feed.older_page_number(stories),
    })


def feed_widget(request):
    """The News Feed widget shown beside every story: one shared fragment, fetched by the page."""
    stories = feed.latest(feed.FEED_PAGE_SIZE)
    return render(request, "web/feed_widget.html", {
        "stories": stories, "older_page": feed.older_page_number(stories),
    })


def _listing(request, template, stories, context):
    paginator = Paginator(feed.with_bylines(stories), LISTING_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None
    return render(request, template, {**context, "page": page, "stories": page.object_list})


def section_page(request, slug):
    section = get_object_or_404(Section, slug=slug)
    return _listing(request, "web/section_page.html", feed.feed_stories().filter(section=section),
                    {"section": section})


def tag_page(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    return _listing(request, "web/tag_page.html", feed.feed_stories().filter(tags=tag), {"tag": tag})


def author_page(request, slug):
    author = get_object_or_404(Author.objects.select_related("avatar").prefetch_related("links"), slug=slug)
    stories = feed.feed_stories().filter(pk__in=StoryPage.objects.filter(bylines__author=author).values("pk"))
    return _listing(request, "web/author_page.html", stories, {"author": author})


def favicon(request):
    return redirect(staticfiles_storage.url("bulletin/favicon.svg"), permanent=True)
