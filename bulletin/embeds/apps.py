from django.apps import AppConfig


class EmbedsConfig(AppConfig):
    name = "bulletin.embeds"
    label = "embeds"
    verbose_name = "Embeds"
    default_auto_field = "django.db.models.BigAutoField"
