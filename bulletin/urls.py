"""Every public URL in one place: the only module that includes every app's URLs."""

from django.conf import settings
from django.urls import include, path
from django.views.static import serve as serve_file
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from bulletin.live import views as live
from bulletin.syndication import urls as syndication_urls
from bulletin.web import views as web

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("page/<int:number>/", web.archive_page, name="archive_page"),
    path("feed/widget/", web.feed_widget, name="feed_widget"),
    path("sections/<str:slug>/", web.collection_page, {"kind": "sections"}, name="section"),
    path("sections/<str:slug>/page/<int:number>/", web.collection_page, {"kind": "sections"}, name="section_page"),
    path("tags/<str:slug>/", web.collection_page, {"kind": "tags"}, name="tag"),
    path("tags/<str:slug>/page/<int:number>/", web.collection_page, {"kind": "tags"}, name="tag_page"),
    path("authors/<str:slug>/", web.collection_page, {"kind": "authors"}, name="author"),
    path("authors/<str:slug>/page/<int:number>/", web.collection_page, {"kind": "authors"}, name="author_page"),
    path("favicon.ico", web.favicon, name="favicon"),
    # /live/ itself (server-sent events) is answered by the front of `bulletin serve`, never by Django.
    path("live/latest.json", live.latest_events, name="live_latest"),
    path("search/", include("bulletin.search.urls")),
    path("", include(syndication_urls)),
]

urlpatterns += [
    # granian (`bulletin serve`) or nginx answer /media/ before Django sees it; this route serves the test client,
    # `bulletin serve --get` and any server that passes everything through.
    path("media/<path:path>", serve_file, {"document_root": settings.MEDIA_ROOT}),
    path("", include(wagtail_urls)),
]
