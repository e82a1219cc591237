from django.apps import AppConfig


class NewsdeskConfig(AppConfig):
    name = "bulletin.newsdesk"
    label = "newsdesk"
    verbose_name = "News desk"
