from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "bulletin.search"
    label = "search"
    verbose_name = "Search"

    def ready(self):
        from . import handlers  # noqa: F401  (connects the publish, unpublish and delete signals)
