"""Render a URL in-process through the same URLconf, middleware and views that serve it live."""

import dataclasses
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.handlers.base import BaseHandler
from django.core.management import call_command
from django.test import RequestFactory

from bulletin.newsroom import render_memo


@dataclasses.dataclass
class Rendered:
    url: str
    status: int
    body: bytes
    content_type: str


class Renderer:
    """Makes GET requests to the site without a network: one rendering path for live and built pages."""

    def __init__(self):
        collect_static_files(only_if_missing=True)
        self.handler = BaseHandler()
        self.handler.load_middleware()
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        self.requests = RequestFactory(HTTP_HOST=base.netloc or "127.0.0.1", secure=base.scheme == "https")
        self.memo = {}

    def new_batch(self):
        """Start a new batch: forget what the views kept for the previous one (newsroom/render_memo.py)."""
        self.memo = {}

    def render(self, url):
        request = self.requests.get(url)
        render_memo.attach(request, self.memo)  # the batch's memo: newsroom/render_memo.py
        response = self.handler.get_response(request)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return Rendered(url, response.status_code, body, response.get("Content-Type", ""))


def collect_static_files(only_if_missing=False):
    """Collect static files into public/static (their fingerprinted names are in every page).

    Pages cannot render before the static files' manifest exists, so the renderer collects them first when
    they are missing (a fresh data folder). Quick when nothing changed.
    """
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if only_if_missing and (manifest is None or staticfiles_storage.exists(manifest)):
        return
    call_command("collectstatic", interactive=False, verbosity=0)
