"""A strict Content-Security-Policy on every public page.

Hand-written because Django 5.2 has no CSP support (it arrives in Django 6.0) and a header this fixed does not
need a dependency. Reader pages have no inline script or style, so 'self' is enough. The admin is left
alone: Wagtail's editor relies on inline scripts, and it is not a public page.
"""

from django.conf import settings
from django.core.cache import cache
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.cache import has_vary_header
from wagtail.models import Site

from bulletin.embeds.providers import player_origins
from bulletin.publishing.models import GoneURL

from .content_coding import choose_coding

#: Frames only for the embed providers' players, which a reader's click loads (bulletin/embeds, docs/security.md).
PUBLIC_PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    f"font-src 'self'; frame-src {' '.join(player_origins())}; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt_prefixes = ("/admin/", settings.STATIC_URL)

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.exempt_prefixes):
            response.headers.setdefault("Content-Security-Policy", PUBLIC_PAGE_POLICY)
        return response


#: The answers worth compressing: pages, JSON, feeds; not files that are compressed already (documents, images).
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/feed+json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
)


class PublicGZipMiddleware(GZipMiddleware):
    """gzip for Django's public answers (search, its JSON, a page rendered on demand), never for one with a secret.

    The reader pages and static files are precompressed files served by the front; what reaches Django is
    compressed here, per request. A compressed answer that reflects what the client sent (a search query) beside
    a secret lets an attacker who can watch its size guess the secret a byte at a time (BREACH). Django's random
    padding of the gzip header makes that slower, not impossible, so only answers that carry no secret are
    compressed: none from the admin, none that sets a cookie or varies on the session's cookie (the session and
    CSRF cookies, a signed-in editor's page), none that rendered a CSRF token and none marked private.
    """

    def process_response(self, request, response):
        if (
            request.path.startswith("/admin/")
            or response.cookies
            or has_vary_header(response, "Cookie")
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or "private" in response.get("Cache-Control", "")
            or not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
            or choose_coding(request.headers.get("Accept-Encoding", ""), ("gzip",)) != "gzip"
        ):
            return response
        return super().process_response(request, response)


class GoneMiddleware:
    """Answer 410 Gone, not 404, at the URL of a story that was unpublished or deleted.

    Listed before Wagtail's RedirectMiddleware, so it sees the response after it: a redirect an editor set wins.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and GoneURL.objects.filter(path=request.path).exists():
            return render(request, "web/410.html", status=410)
        return response


#: The cache entry that holds {(host, port): Site} (Django's default cache).
SITES_CACHE_KEY = "bulletin.web.sites"
#: How long a process may keep a Site it looked up. A Site save or delete clears the entry at once for every process
#: that shares the cache (Redis, memcached); with the default local-memory cache, other processes see it this late.
SITES_CACHE_SECONDS = 300


class SiteCacheMiddleware:
    """Find the Wagtail Site of each request in Django's cache instead of asking the database every time.

    Wagtail's lookup (Site.find_for_request) took 4 ms of the 13 ms a story page took to render here. The answer
    changes only when an admin edits Sites: web's AppConfig deletes the entry on every Site save or delete, as Wagtail
    does for its site root paths (Site.clear_site_root_paths_cache, connected in wagtail/signal_handlers.py).

    Two private names of Django and Wagtail are used here, each pinned by tests/web/test_site_cache.py:
    ``request._get_raw_host()`` is the host Wagtail's own lookup reads (Site._find_for_request: it must not raise
    DisallowedHost the way get_host() does), and ``request._wagtail_site`` is where Site.find_for_request looks
    before it asks the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = (request._get_raw_host(), request.get_port())
        sites = cache.get(SITES_CACHE_KEY) or {}
        if key not in sites:
            site = Site.find_for_request(request)
            if site is not None:
                # Loaded now so that the cached copy carries them: Wagtail's serve view routes every page from
                # site.root_page.specific.
                site.root_page.specific  # noqa: B018
            sites[key] = site
            cache.set(SITES_CACHE_KEY, sites, SITES_CACHE_SECONDS)
        request._wagtail_site = sites[key]
        return self.get_response(request)

    @staticmethod
    def forget(**kwargs):
        """Receiver of Site's post_save and post_delete."""
        cache.delete(SITES_CACHE_KEY)
