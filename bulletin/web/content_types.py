"""The Content-Type of each file in public/: one rule for `bulletin serve` and the nginx configuration.

Mostly by suffix; feeds are .xml or .json files whose formats have types of their own, so their file names
(the syndication URLs end in them) decide first. The types are the ones the live views send.
"""

from pathlib import PurePosixPath

BY_SUFFIX = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".map": "application/json",
}
BY_FILE_NAME = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}


def content_type_for(path):
    """The Content-Type of the file at ``path`` (a file system path or a URL path)."""
    path = PurePosixPath(path)
    return BY_FILE_NAME.get(path.name) or BY_SUFFIX.get(path.suffix, "application/octet-stream")
