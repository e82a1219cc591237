from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from bulletin.newsroom.models import NewsFeedPage

from .quick_post import quick_post_view


@hooks.register("register_admin_urls")
def register_quick_post_url():
    return [path("quick-post/", quick_post_view, name="newsdesk_quick_post")]


class QuickPostMenuItem(MenuItem):
    def is_shown(self, request):
        feed_page = NewsFeedPage.objects.first()
        return bool(feed_page and feed_page.permissions_for_user(request.user).can_publish_subpage())


@hooks.register("register_admin_menu_item")
def register_quick_post_menu_item():
    return QuickPostMenuItem("Quick post", reverse("newsdesk_quick_post"), icon_name="edit", order=50)


@hooks.register("insert_editor_js")
def story_form_script():
    # The autosave fixes of story-form.js: Wagtail's autosave events, no change to Wagtail's own code.
    return format_html('<script src="{}" defer></script>', static("newsdesk/story-form.js"))


@hooks.register("insert_global_admin_css")
def admin_stylesheet():
    return format_html('<link rel="stylesheet" href="{}">', static("newsdesk/admin.css"))
