from django.urls import path, reverse
from wagtail import hooks

from bulletin.accounts import views


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("two-factor/", views.verify, name="accounts_two_factor_verify"),
        path("two-factor/enrol/", views.enrol, name="accounts_two_factor_enrol"),
    ]


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    return {
        "url": reverse("accounts_two_factor_enrol"),
        "label": "Two-factor authentication",
        "help_text": "Sign in with a code from an authenticator app as well as your password.",
    }
