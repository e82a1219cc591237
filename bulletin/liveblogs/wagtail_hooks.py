from django.db.models import Q
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets import Button, ListingButton

from bulletin.publishing.plan import COLLECTION, FEED, LIVE, SITE_URLS_HOOK, SiteURL
from bulletin.syndication.sitemaps import NEWS_SITEMAP_HOOK

from . import publishing
from .models import LiveBlogPage
from .views import composer_view


@hooks.register("register_admin_urls")
def register_composer_url():
    return [path("live-blogs/<int:blog_id>/", composer_view, name="liveblogs_composer")]


def _can_post(page, user):
    return issubclass(page.specific_class or object, LiveBlogPage) and page.permissions_for_user(user).can_publish()


@hooks.register("register_page_header_buttons")
def composer_in_page_header(page, user, view_name=None, next_url=None):
    if _can_post(page, user):
        yield Button("Post entries", reverse("liveblogs_composer", args=[page.pk]), icon_name="bolt", priority=5)


@hooks.register("register_page_listing_buttons")
def composer_in_page_listing(page, user, next_url=None):
    if _can_post(page, user):
        yield ListingButton("Post entries", reverse("liveblogs_composer", args=[page.pk]), priority=5)


@hooks.register(SITE_URLS_HOOK)
def live_blog_urls():
    """What public/ holds for each live blog besides its head (a story's page): its numbered pages, key events,
    feeds and polling file."""
    urls = []
    for blog in LiveBlogPage.objects.live().order_by("path"):
        pages = [f"{blog.url}page/{number}/" for number in range(1, blog.newest_page_number() + 1)]
        urls += [SiteURL(url, COLLECTION) for url in [*pages, f"{blog.url}key-events/"]]
        urls += [SiteURL(url, FEED) for url in publishing.feed_urls(blog)]
        urls.append(SiteURL(publishing.topic_file(blog), LIVE))
    return urls


@hooks.register(NEWS_SITEMAP_HOOK)
def live_blogs_are_news_while_live():
    """A live blog is news while it is live, however long ago it started; once paused or ended, its age counts as
    any story's."""
    return Q(liveblogpage__status=LiveBlogPage.LIVE)
