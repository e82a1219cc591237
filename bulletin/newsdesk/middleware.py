"""Every change made through the admin commits as one transaction.

Wagtail 8 commits a page when it publishes or unpublishes it and sends `page_published` or
`page_unpublished` afterwards, outside that transaction; the publisher writes its outbox row from those
signals. A crash between the two would leave a live (or removed) story that no outbox row covers, which the
outbox replay could not repair. Running the admin's writes in one transaction makes the page and its outbox row
commit together or not at all. Reads, and everything outside the admin, are left alone: on SQLite every
transaction takes the database's write lock.
"""

from django.db import transaction
from django.urls import reverse

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AtomicAdminWritesMiddleware:
    """Like ATOMIC_REQUESTS, for the admin's writes only. It wraps the view, as Django does, not the rest of the
    middleware: Django turns an exception into a 500 response on its way out of each middleware, and a
    transaction around the middleware would then commit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method in SAFE_METHODS or not request.path.startswith(reverse("wagtailadmin_home")):
            return None
        with transaction.atomic():
            return view(request, *args, **kwargs)
