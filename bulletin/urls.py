"""Every public URL in one place: the only module that includes every app's URLs."""

from django.conf import settings
from django.urls import include, path
from django.views.static import serve as serve_file
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from bulletin.web import views as web

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("page/<int:number>/", web.archive_page, name="archive_page"),
    path("feed/widget/", web.feed_widget, name="feed_widget"),
    path("sections/<str:slug>/", web.section_page, name="section"),
    path("tags/<str:slug>/", web.tag_page, name="tag"),
    path("authors/<str:slug>/", web.author_page, name="author"),
    path("favicon.ico", web.favicon, name="favicon"),
]

urlpatterns += [
    # granian (`bulletin serve`) or nginx answer /media/ before Django sees it; this route serves the test client,
    # `bulletin serve --get` and any server that passes everything through.
    path("media/<path:path>", serve_file, {"document_root": settings.MEDIA_ROOT}),
    path("", include(wagtail_urls)),
]
