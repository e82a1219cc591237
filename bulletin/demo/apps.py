from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "bulletin.demo"
    label = "demo"
    verbose_name = "Demo newsroom"
