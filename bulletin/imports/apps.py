from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "bulletin.imports"
    label = "imports"
    verbose_name = "Imports"
