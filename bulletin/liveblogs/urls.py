from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^(?P<slug>[^/]+)/(?P<name>rss\.xml|atom\.xml|feed\.json)$", views.entry_feed, name="liveblog_feed"),
]
