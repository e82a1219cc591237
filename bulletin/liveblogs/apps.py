from django.apps import AppConfig


class LiveBlogsConfig(AppConfig):
    name = "bulletin.liveblogs"
    label = "liveblogs"
    verbose_name = "Live blogs"

    def ready(self):
        from . import handlers  # noqa: F401  (a live blog is published as a story is, and its entries publish)
