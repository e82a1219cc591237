from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "bulletin.live"
    label = "live"
    verbose_name = "Live News Feed"

    def ready(self):
        from . import handlers  # noqa: F401  (connects the newsroom's publish signals)
