from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "bulletin.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"

    def ready(self):
        from . import handlers  # noqa: F401  (connects Wagtail's publish signals)
