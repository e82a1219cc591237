"""Feeds, sitemaps and robots.txt: included at the root by bulletin/urls.py.

Each URL ends in the file name the publisher writes and the static servers serve with its own Content-Type
(web/content_types.py): rss.xml, atom.xml, feed.json, the .xml sitemaps, robots.txt.
"""

import re

from django.urls import path, re_path
from django.views.decorators.http import conditional_page

from bulletin.newsroom.collection_kinds import segments_pattern

from . import views
from .feeds import AtomStoryFeed, JsonStoryFeed, StoryFeed

#: Format → (file name, feed). The site's feeds are /feeds/<file name>; a collection's sit in its folder.
FEEDS = {"rss": ("rss.xml", StoryFeed()), "atom": ("atom.xml", AtomStoryFeed()), "json": ("feed.json", JsonStoryFeed())}

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    # The news sitemap, one per collection kind (named by its URL segment) and one per month of stories.
    re_path(
        rf"^sitemaps/(?P<name>news|{segments_pattern()}|stories-\d{{4}}-(?:0[1-9]|1[0-2]))\.xml$",
        views.sitemap,
        name="sitemap",
    ),
]
for feed_format, (file_name, feed) in FEEDS.items():
    view = conditional_page(feed)
    urlpatterns += [
        path(f"feeds/{file_name}", view, name=f"feed_{feed_format}"),
        re_path(
            rf"^(?P<kind>{segments_pattern()})/(?P<slug>[^/]+)/{re.escape(file_name)}$",
            view,
            name=f"collection_feed_{feed_format}",
        ),
    ]
