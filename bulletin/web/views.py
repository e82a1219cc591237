"""Reader pages that are not Wagtail pages: the archive of the News Feed, the widget fragment,
and the section, tag and author pages."""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from bulletin.newsroom import listings
from bulletin.newsroom.models import Author, Section, Tag


def archive_page(request, number):
    """Page ``number`` of the News Feed, counted from the oldest story (stable as new stories arrive)."""
    stories = listings.archive_page(number)
    if not stories and not 0 < number <= listings.newest_page_number():
        raise Http404("No such page of the News Feed.")
    return render(request, "web/archive_page.html", {
        "number": number, "stories": stories, "older_page": listings.older_page_number(stories),
    })


def feed_widget(request):
    """The News Feed widget shown beside every story: one shared fragment, fetched by the page."""
    stories = listings.latest(listings.FEED_PAGE_SIZE)
    return render(request, "web/feed_widget.html", {
        "stories": stories, "older_page": listings.older_page_number(stories),
    })


#: URL segment → (model, template) of the pages that list a collection of stories.
COLLECTIONS = {
    "sections": (Section, "web/topic_page.html"),
    "tags": (Tag, "web/topic_page.html"),
    "authors": (Author, "web/author_page.html"),
}


def collection_page(request, kind, slug, number=None):
    """A section, tag or author: the newest stories (no ``number``), or page ``number`` counted from the oldest."""
    model, template = COLLECTIONS[kind]
    collection = get_object_or_404(model, slug=slug)
    listing = listings.Listing(collection)
    if number is None:
        stories = listing.head()
    else:
        stories = listing.page(number)
        if not stories:
            raise Http404("No such page.")
    return render(request, template, {
        "collection": collection, "number": number,
        "stories": stories, "older_page": listing.older_page_number(stories),
    })


def favicon(request):
    return redirect(staticfiles_storage.url("bulletin/favicon.svg"), permanent=True)
