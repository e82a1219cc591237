"""Every public URL in one place: the only module that includes every app's URLs."""

from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from bulletin.live import views as live
from bulletin.newsroom.collection_kinds import KINDS
from bulletin.publishing import views as publishing
from bulletin.syndication import urls as syndication_urls
from bulletin.uploads.views import serve_media
from bulletin.web import views as web

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("page/<int:number>/", web.archive_page, name="archive_page"),
    path("feed/widget/", web.feed_widget, name="feed_widget"),
    # Each collection kind's index (if it has one), head page and numbered pages (newsroom/collection_kinds.py).
    *(
        path(f"{kind.segment}/", web.collection_index, {"kind": kind.segment}, name=kind.index_route)
        for kind in KINDS
        if kind.indexed
    ),
    *(
        pattern
        for kind in KINDS
        for pattern in (
            path(f"{kind.segment}/<str:slug>/", web.collection_page, {"kind": kind.segment}, name=kind.name),
            path(
                f"{kind.segment}/<str:slug>/page/<int:number>/",
                web.collection_page,
                {"kind": kind.segment},
                name=kind.page_route,
            ),
        )
    ),
    path("favicon.ico", web.favicon, name="favicon"),
    # /live/ itself (server-sent events) is answered by the front of `bulletin serve`, never by Django.
    path("live/latest.json", live.latest_events, name="live_latest"),
    path("live/banner.json", live.breaking_news, name="live_banner"),
    path("live/<slug:topic>.json", live.topic_events, name="live_topic"),
    path("search/", include("bulletin.search.urls")),
    path("", include(syndication_urls)),
    path("", include("bulletin.liveblogs.urls")),
    path("healthz", publishing.healthz, name="healthz"),
]

urlpatterns += [
    # granian (`bulletin serve`) or nginx answer /media/ before Django sees it; this route serves the test client,
    # `bulletin serve --get` and any server that passes everything through.
    path("media/<path:path>", serve_media, {"document_root": settings.MEDIA_ROOT}),
    path("", include(wagtail_urls)),
]
