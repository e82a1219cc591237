from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bulletin.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"
