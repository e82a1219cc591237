"""Render a URL in-process through the same URLconf, middleware and views that serve it live."""

import dataclasses
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.test import RequestFactory


@dataclasses.dataclass
class Rendered:
    url: str
    status: int
    body: bytes
    content_type: str


class Renderer:
    """Makes GET requests to the site without a network: one rendering path for live and built pages."""

    def __init__(self):
        self.handler = BaseHandler()
        self.handler.load_middleware()
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        self.requests = RequestFactory(HTTP_HOST=base.netloc or "127.0.0.1", secure=base.scheme == "https")

    def render(self, url):
        response = self.handler.get_response(self.requests.get(url))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return Rendered(url, response.status_code, body, response.get("Content-Type", ""))
