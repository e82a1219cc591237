"""How long browsers and CDNs may keep each kind of file: one policy for `bulletin serve` and the nginx config."""

import functools
import re

from bulletin.newsroom import collection_kinds

#: The feed head, the widget and the heads of sections, tags and authors change with every publish.
HEAD_PAGES = "public, max-age=0, s-maxage=5, stale-while-revalidate=60"
#: Stories and numbered pages change only when a story on them is edited or removed.
STABLE_PAGES = "public, max-age=60, s-maxage=300, stale-while-revalidate=86400"
#: ManifestStaticFilesStorage puts a hash of the content in every static file name.
FINGERPRINTED = "public, max-age=31536000, immutable"
#: The live feed's polling file (pages fetch it every few seconds when server-sent events fail), and the
#: breaking-news banner's file (every page reads it as it opens).
LIVE_POLL = "public, max-age=2, s-maxage=2"
#: Image renditions keep their names when an editor replaces an image's file.
MEDIA = "public, max-age=86400"


def head_page_pattern():
    """The News Feed, its widget, and the index and head pages of every collection kind
    (newsroom/collection_kinds.py): an index shows counts that a publish may change."""
    return rf"^/(?:|feed/widget/|(?:{collection_kinds.segments_pattern()})/(?:[^/]+/)?)$"


def syndication_file_pattern():
    """The feeds, the sitemap index and the sitemaps list the newest stories: they change with every publish too."""
    return (
        rf"^/(?:(?:feeds|(?:{collection_kinds.segments_pattern()})/[^/]+)/(?:rss\.xml|atom\.xml|feed\.json)"
        r"|sitemap\.xml|sitemaps/[^/]+\.xml)$"
    )


@functools.cache
def _compiled(kinds):
    # Keyed by the kinds, so that a kind added in a test gets rules of its own.
    return re.compile(head_page_pattern()), re.compile(syndication_file_pattern())


def cache_control_for(path):
    """The Cache-Control header for the file served at URL ``path``."""
    if path.startswith("/static/"):
        return FINGERPRINTED
    if path.startswith("/media/"):
        return MEDIA
    if path.startswith("/live/") and path.endswith(".json"):  # latest.json, banner.json, each live blog's topic
        return LIVE_POLL
    head_page, syndication_file = _compiled(collection_kinds.KINDS)
    if head_page.match(path) or syndication_file.match(path):
        return HEAD_PAGES
    return STABLE_PAGES
