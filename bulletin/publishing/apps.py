from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "bulletin.publishing"
    label = "publishing"
    verbose_name = "Static publisher"

    def ready(self):
        from . import handlers  # noqa: F401  (connects the newsroom's signals)
