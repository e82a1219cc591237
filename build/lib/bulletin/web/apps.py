from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bulletin.web"
    label = "web"
    verbose_name = "Reader site"
