"""The live blog's admin page: the composer (composer.py), the key developments and the latest entries."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin import messages

from . import composer, feeds, publishing
from .models import LiveBlogEntry, LiveBlogPage

#: Entries listed under the composer, newest first (older ones are edited from the public page's permalinks).
ENTRIES_LISTED = 50


def composer_view(request, blog_id):
    blog = get_object_or_404(LiveBlogPage, pk=blog_id)
    if not blog.permissions_for_user(request.user).can_publish():
        raise PermissionDenied("Your role may not publish this live blog.")
    here = reverse("liveblogs_composer", args=[blog.pk])
    editing = None
    if "edit" in request.GET:
        editing = get_object_or_404(LiveBlogEntry, pk=request.GET["edit"], blog=blog)
    action = request.POST.get("action")
    initial = composer.initial_for(editing)
    if not editing:
        initial["author"] = getattr(request.user, "author_profile", None)
    entry_form = composer.EntryForm(initial=initial, entry=editing)
    key_form = composer.KeyDevelopmentsForm(instance=blog, prefix="key")
    conflict = None

    if action in ("post", "edit"):
        entry_form = composer.EntryForm(request.POST, request.FILES, entry=editing)
        if entry_form.is_valid():
            try:
                if editing:
                    composer.edit_entry(editing, entry_form.cleaned_data, request.user)
                    messages.success(request, "Entry updated. Readers see it now, marked “Updated”.")
                else:
                    composer.add_entry(blog, entry_form.cleaned_data, request.user)
                    messages.success(request, "Entry posted.")
                return redirect(here)
            except composer.ComposerError as error:
                entry_form.add_error(None, str(error))
                conflict = LiveBlogEntry.objects.filter(pk=editing.pk).first() if editing else None
                if conflict is not None:
                    # Saving again is a deliberate choice to replace their version with this one.
                    data = request.POST.copy()
                    data["version"] = conflict.version
                    entry_form.data = data
    elif action == "delete":
        entry = LiveBlogEntry.objects.filter(pk=request.POST.get("entry"), blog=blog).first()
        if entry is not None:
            composer.delete_entry(entry)
        messages.success(request, "Entry deleted: it is gone from the blog, its feeds and readers’ open pages.")
        return redirect(here)
    elif action == "key_developments":
        key_form = composer.KeyDevelopmentsForm(request.POST, instance=blog, prefix="key")
        if key_form.is_valid():
            _publish_key_developments(blog, key_form.cleaned_data["key_developments"], request.user)
            messages.success(request, "Key developments published.")
            return redirect(here)

    return TemplateResponse(
        request,
        "liveblogs/composer.html",
        {
            "blog": blog,
            "entry_form": entry_form,
            "key_form": key_form,
            "editing": editing,
            "conflict": conflict,
            "entries": blog.published_entries()[:ENTRIES_LISTED],
            "ended": blog.status == LiveBlogPage.ENDED,
        },
    )


def _publish_key_developments(blog, text, user):
    """Change the list on the live page alone, not through a page revision: an editor's unpublished draft of the
    blog stays unpublished, and gets the new list too, so publishing it later does not bring the old one back."""
    LiveBlogPage.objects.filter(pk=blog.pk).update(key_developments=text)
    blog.key_developments = text
    revision = blog.latest_revision
    if blog.has_unpublished_changes and revision is not None:
        revision.content["key_developments"] = text
        revision.save(update_fields=["content"])
    publishing.key_developments_changed(blog)


#: The blog's feeds, beside its page: /<slug>/rss.xml and so on (Wagtail's page URLs all end in a slash, so these
#: are routes of their own, before Wagtail's).
FEEDS = {"rss.xml": feeds.EntryFeed, "atom.xml": feeds.AtomEntryFeed, "feed.json": feeds.JsonEntryFeed}


def entry_feed(request, slug, name):
    blog = LiveBlogPage.objects.live().filter(slug=slug, depth=3).first()
    if blog is None or blog.url != f"/{slug}/":
        raise Http404("No live blog here.")
    return FEEDS[name]()(request, blog)
