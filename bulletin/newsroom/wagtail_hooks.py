"""The newsroom in the admin: authors, sections and tags as snippets editors manage; the Stories listing with
section and byline columns and filters; the story form's tag autocomplete."""

from django.http import JsonResponse
from django.urls import path
from django_filters import ModelChoiceFilter
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Author, Section, StoryPage, Tag


class StoryFilterSet(PageListingViewSet.filterset_class):
    section = ModelChoiceFilter(queryset=Section.objects.all(), label="Section")
    byline = ModelChoiceFilter(
        queryset=Author.objects.all(), field_name="bylines__author", label="Byline", distinct=True
    )

    class Meta:
        model = StoryPage
        fields = []


class StoryIndexView(IndexView):
    def get_base_queryset(self):
        # The section and byline columns, in two queries for the whole page of results.
        return super().get_base_queryset().select_related("section").prefetch_related("bylines__author")


def _byline_names(story):
    return ", ".join(byline.author.name for byline in story.bylines.all())


class StoryListingViewSet(PageListingViewSet):
    """Every story, flat, with its section and byline, filtered by either: the desk's list."""

    model = StoryPage
    index_view_class = StoryIndexView
    icon = "doc-full"
    menu_label = "Stories"
    menu_order = 200
    add_to_admin_menu = True
    name = "stories"
    columns = [
        *PageListingViewSet.columns,
        Column("section", label="Section"),
        Column("byline", label="Byline", accessor=_byline_names),
    ]
    filterset_class = StoryFilterSet


@hooks.register("register_admin_viewset")
def register_story_listing():
    return StoryListingViewSet()


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "job_title"]
    search_fields = ["name"]


class SectionViewSet(SnippetViewSet):
    model = Section
    icon = "folder-open-inverse"
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "slug"]


class TagViewSet(SnippetViewSet):
    model = Tag
    icon = "tag"
    menu_order = 230
    add_to_admin_menu = True
    list_display = ["name", "slug"]


register_snippet(AuthorViewSet)
register_snippet(SectionViewSet)
register_snippet(TagViewSet)


#: Tag names the story form's autocomplete offers at most, as Wagtail's own does.
TAG_AUTOCOMPLETE_LIMIT = 10


def tag_autocomplete(request):
    """Tag names starting with ?term= for the story form's tag widget (tag_input.py), as a JSON list."""
    term = request.GET.get("term", "").strip()
    names = Tag.objects.filter(name__istartswith=term).order_by("name").values_list("name", flat=True)
    return JsonResponse(list(names[:TAG_AUTOCOMPLETE_LIMIT]) if term else [], safe=False)


@hooks.register("register_admin_urls")
def register_tag_autocomplete_url():
    return [path("newsroom/tag-autocomplete/", tag_autocomplete, name="newsroom_tag_autocomplete")]
