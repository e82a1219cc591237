"""The Site cache of web/middleware.py, and the private Django and Wagtail behaviour it relies on."""

from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from bulletin.web.middleware import SITES_CACHE_KEY, SiteCacheMiddleware


def _through_middleware(host="testserver"):
    request = RequestFactory(HTTP_HOST=host).get("/")
    SiteCacheMiddleware(lambda request: None)(request)
    return request


def test_wagtail_takes_the_site_the_middleware_found(db):
    """Site.find_for_request looks at request._wagtail_site before the database (a private attribute)."""
    cache.delete(SITES_CACHE_KEY)
    request = _through_middleware()
    with CaptureQueriesContext(connection) as queries:
        assert Site.find_for_request(request) is request._wagtail_site
    assert not queries


def test_the_cached_site_is_the_one_wagtail_finds_for_the_raw_host(db):
    """The cache is keyed by request._get_raw_host() (private): the host Wagtail's own lookup reads, which does not
    check ALLOWED_HOSTS."""
    cache.delete(SITES_CACHE_KEY)
    request = _through_middleware()
    assert request._get_raw_host() == "testserver"
    fresh = RequestFactory(HTTP_HOST="testserver").get("/")
    assert Site._find_for_request(fresh) == request._wagtail_site == Site.objects.get(is_default_site=True)


def test_a_second_request_asks_no_query_for_its_site_or_root_page(db):
    cache.delete(SITES_CACHE_KEY)
    _through_middleware()
    with CaptureQueriesContext(connection) as queries:
        request = _through_middleware()
        request._wagtail_site.root_page.specific  # noqa: B018  (what Wagtail's serve view routes from)
    assert not queries


def test_saving_a_site_clears_the_cache_for_every_process_that_shares_it(db):
    cache.delete(SITES_CACHE_KEY)
    _through_middleware()
    assert cache.get(SITES_CACHE_KEY)
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Renamed"
    site.save()
    assert cache.get(SITES_CACHE_KEY) is None
    assert _through_middleware()._wagtail_site.site_name == "Renamed"
