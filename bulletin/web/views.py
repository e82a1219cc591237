"""Reader pages that are not Wagtail pages: the archive of the News Feed, the widget fragment,
and the section, tag and author pages."""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from wagtail.images import get_image_model

from bulletin.newsroom import collection_kinds, listings

#: The rendition of an author's photo on /authors/ (web/author_index.html uses the same spec).
AUTHOR_PHOTO = "fill-96x96"


def archive_page(request, number):
    """Page ``number`` of the News Feed, counted from the oldest story (stable as new stories arrive)."""
    stories = listings.archive_page(number)
    if not stories and not 0 < number <= listings.newest_page_number():
        raise Http404("No such page of the News Feed.")
    return render(
        request,
        "web/archive_page.html",
        {
            "number": number,
            "stories": stories,
            "older_page": listings.older_page_number(stories),
        },
    )


def feed_widget(request):
    """The News Feed widget shown beside every story: one shared fragment, fetched by the page."""
    stories = listings.latest(listings.FEED_PAGE_SIZE)
    return render(
        request,
        "web/feed_widget.html",
        {
            "stories": stories,
            "older_page": listings.older_page_number(stories),
        },
    )


def collection_templates(kind):
    """The templates a collection's page may use, most specific first: ``web/<kind name>_page.html`` (an author's
    profile), else the page every topic shares."""
    return [f"web/{kind.name}_page.html", "web/topic_page.html"]


def collection_page(request, kind, slug, number=None):
    """A section, tag or author: the newest stories (no ``number``), or page ``number`` counted from the oldest.
    ``kind`` is the first segment of a CollectionKind's URLs (the URLconf passes it)."""
    kind = collection_kinds.by_segment(kind)
    collection = get_object_or_404(kind.model, slug=slug)
    listing = listings.Listing(collection, kind)
    if number is None:
        stories = listing.head()
    else:
        stories = listing.page(number)
        if not stories:
            raise Http404("No such page.")
    return render(
        request,
        collection_templates(kind),
        {
            "kind": kind,
            "collection": collection,
            "number": number,
            "stories": stories,
            "older_page": listing.older_page_number(stories),
        },
    )


def collection_index(request, kind):
    """Every section (or author) with its number of live stories: ``web/<kind name>_index.html`` (authors, with
    their photo and job title), else ``web/topic_index.html``. The publisher renders it again when a collection of
    the kind changes or a publish changes a count (publishing/plan.py), never on every publish."""
    kind = collection_kinds.by_segment(kind)
    if not kind.indexed:
        raise Http404("No index of this kind.")
    counts = listings.story_counts(kind)
    collections = kind.model.objects.order_by("name")
    if kind is collection_kinds.AUTHORS:  # their photos and renditions in two queries, not two per author
        images = get_image_model().objects.prefetch_renditions(AUTHOR_PHOTO)
        collections = collections.prefetch_related(Prefetch("avatar", queryset=images))
    entries = [(collection, counts.get(collection.pk, 0)) for collection in collections]
    return render(
        request,
        [f"web/{kind.name}_index.html", "web/topic_index.html"],
        {"kind": kind, "entries": entries},
    )


def favicon(request):
    return redirect(staticfiles_storage.url("bulletin/favicon.svg"), permanent=True)
