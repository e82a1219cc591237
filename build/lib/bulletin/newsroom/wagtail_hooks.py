"""Authors, sections and tags in the admin, as snippets editors manage."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Author, Section, Tag


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
