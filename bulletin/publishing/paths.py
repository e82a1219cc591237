"""One rule maps a URL path to a file in public/: a path ending in "/" is a folder with index.html."""

from pathlib import PurePosixPath

INDEX = "index.html"
#: Beside (never instead of) index.html: the body of the 410 page for a story that was removed.
GONE_MARKER = ".gone.html"


class UnsafePath(ValueError):
    """A URL path that could escape public/ or that no page of ours has."""


def file_for(url_path):
    """The file, relative to public/, that holds the page at ``url_path``."""
    if not url_path.startswith("/") or "\\" in url_path or "\x00" in url_path or "?" in url_path:
        raise UnsafePath(url_path)
    parts = [part for part in url_path.split("/") if part]
    if any(part in (".", "..") or part.startswith(".") for part in parts):
        raise UnsafePath(url_path)
    relative = PurePosixPath(*parts) if parts else PurePosixPath()
    return str(relative / INDEX) if url_path.endswith("/") else str(relative)


def gone_marker_for(url_path):
    """The marker file whose presence makes the static server answer 410 for ``url_path``."""
    return str(PurePosixPath(file_for(url_path)).parent / GONE_MARKER)
