"""URL prefixes whose answers depend on the query string: one list for `bulletin serve` and the nginx config.

Everywhere else a URL that names a file in public/ or the media folder is answered with that file whatever its
query string says, so share links (`?utm_source=…`, `fbclid=…`) never reach Django. Under these prefixes the
query is the request (search terms, admin filters, API parameters, preview tokens) and the app answers.
"""

#: The admin (and Wagtail's previews, which live under it), the Content API (Ghost's paths and ours), documents
#: (served by Django with permission checks) and search. /live/ (the event stream) is not a file anyway, and
#: /live/latest.json is one: a poll with a cache-busting query still gets the file.
QUERY_PREFIXES = ("/admin/", "/api/", "/ghost/", "/documents/", "/search/")


def needs_query(path):
    """Whether the answer for URL ``path`` (without its query) depends on the query string."""
    return path.startswith(QUERY_PREFIXES)
