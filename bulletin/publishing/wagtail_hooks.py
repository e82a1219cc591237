"""Editors see a warning in the admin while changes fail to reach the public site."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.components import Component

from .health import OutboxHealth
from .views import outbox_warning


@hooks.register("register_admin_urls")
def register_outbox_warning_url():
    return [path("publishing/outbox-warning/", outbox_warning, name="publishing_outbox_warning")]


@hooks.register("insert_global_admin_js")
def outbox_warning_script():
    # Every admin page (the sign-in page too: this hook has no request), so the warning itself is fetched from a
    # view that requires a signed-in user, and shown as one of Wagtail's messages.
    return format_html(
        '<script src="{}" data-url="{}" defer></script>',
        static("publishing/outbox-warning.js"),
        reverse("publishing_outbox_warning"),
    )


class OutboxWarningPanel(Component):
    name = "outbox_warning"
    order = 10  # first on the dashboard

    def __init__(self, warning):
        self.warning = warning

    def render_html(self, parent_context=None):
        return format_html(
            '<section class="help-block help-critical" role="alert" data-outbox-warning>'
            "<p>{}</p><p>Readers see these pages as they were before. Bulletin keeps trying; "
            "see <code>/healthz</code> and the server log.</p></section>",
            self.warning,
        )


@hooks.register("construct_homepage_panels")
def add_outbox_warning_panel(request, panels):
    warning = OutboxHealth.now().warning()
    if warning:
        panels.insert(0, OutboxWarningPanel(warning))
