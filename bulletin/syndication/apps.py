from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "bulletin.syndication"
    label = "syndication"
    verbose_name = "Feeds, sitemaps and structured data"
