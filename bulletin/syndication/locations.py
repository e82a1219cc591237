"""Stories' URLs from database rows, for the feeds and sitemaps that list hundreds of them with each publish:
building a Wagtail page object per story to ask it its URL was most of their time."""

from django.utils.encoding import iri_to_uri
from wagtail.models import Site


def site_root(request):
    """(root page's url_path, its URL) of the request's site: a story's URL is its url_path under the root, as
    Page.get_url computes it."""
    site = Site.find_for_request(request) if request else Site.objects.get(is_default_site=True)
    return site.root_page.url_path, "/"


def story_location(root, url_path):
    root_path, root_url = root
    return iri_to_uri(root_url + url_path[len(root_path) :])
