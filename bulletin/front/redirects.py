"""The editors' redirects, answered by the front without Django (publishing/redirect_map.py writes the files).

Looked up as Wagtail's RedirectMiddleware looks them up: the path without its trailing slash, first with the
query string (its parameters sorted), then without. Read again whenever the publisher bumps public/.generation.
"""

from urllib.parse import unquote

from bulletin.publishing import redirect_map


class Redirects:
    def __init__(self, public_dir):
        self.public_dir = public_dir
        self.paths, self.queries = {}, {}
        #: False when there are no redirects at all: the front then skips the lookup.
        self.active = False

    def load(self):
        found = []
        for name in (redirect_map.PATHS, redirect_map.QUERIES):
            try:
                found.append(redirect_map.parse((self.public_dir / name).read_text("utf-8")))
            except (OSError, UnicodeDecodeError):
                found.append({})
        self.paths, self.queries = found
        self.active = bool(self.paths or self.queries)

    def target(self, path, query_string):
        """The URL that ``path`` (decoded) with ``query_string`` (bytes) redirects to, or None."""
        key = path.rstrip("/") or "/"
        if query_string and self.queries:
            query = "&".join(sorted(unquote(query_string.decode("latin-1")).split("&")))
            found = self.queries.get(f"{key}?{query}")
            if found:
                return found
        return self.paths.get(key)
