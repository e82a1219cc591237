"""The files of public/ and the media folder, kept in memory ready to send.

Each file is read once with its precompressed .br and .gz variants, and its headers are built once per variant,
so answering it costs a dictionary lookup and two ASGI sends. The cache is bounded (least recently used out
first); files too large for it are sent from disk in chunks. The publisher bumps public/.generation after every
batch of writes: `forget_if_published` empties the cache when it changed, so a publish is served at once.
"""

import email.utils
import hashlib
from collections import OrderedDict
from pathlib import Path

from bulletin.publishing.paths import GONE_MARKER, INDEX, UnsafePath, file_for
from bulletin.uploads.serving import media_headers
from bulletin.web.caching import cache_control_for
from bulletin.web.content_types import content_type_for
from bulletin.web.middleware import PUBLIC_PAGE_POLICY

GENERATION_FILE = ".generation"
#: Files larger than this are sent from disk, never kept (pages are ~30 KB, renditions ~100 KB).
MAX_CACHED_FILE = 4 * 1024 * 1024
#: The size of each read and send of a file sent from disk.
CHUNK = 256 * 1024
MEDIA_PREFIX = "/media/"


class CachedFile:
    """One file ready to send: for each coding its body (None when sent from disk), its ETag and its headers."""

    __slots__ = ("status", "mtime", "last_modified", "etags", "variants", "size", "length", "path", "whole")

    def __init__(self, path, url_path, status, bodies, digest):
        stat = path.stat()
        self.status, self.mtime, self.path, self.length = status, int(stat.st_mtime), path, stat.st_size
        self.last_modified = email.utils.formatdate(self.mtime, usegmt=True)
        common = [
            ("content-type", content_type_for(path.name)),
            ("cache-control", cache_control_for(url_path)),
            ("last-modified", self.last_modified),
            ("accept-ranges", "bytes"),
        ]
        if url_path.startswith(MEDIA_PREFIX):
            common += [(name.lower(), value) for name, value in media_headers(path.name)]
        else:
            common.append(("x-content-type-options", "nosniff"))
            if common[0][1].startswith("text/html"):
                common.append(("content-security-policy", PUBLIC_PAGE_POLICY))
        if len(bodies) > 1:
            common.append(("vary", "Accept-Encoding"))
        self.variants, self.etags, self.size, self.whole = {}, set(), 0, {}
        for coding, body in bodies.items():
            etag = f'"{digest}{"-" + coding if coding else ""}"'
            self.etags.add(etag)
            headers = [*common, ("etag", etag)] + ([("content-encoding", coding)] if coding else [])
            encoded = [(name.encode(), value.encode("latin-1")) for name, value in headers]
            self.variants[coding] = (body, etag, encoded)
            self.size += (len(body) if body is not None else 0) + sum(len(n) + len(v) for n, v in encoded)
            if body is not None:
                # The ASGI messages of the whole file, built once: most answers are exactly these two sends.
                self.whole[coding] = (
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [*encoded, (b"content-length", b"%d" % len(body))],
                    },
                    {"type": "http.response.body", "body": body},
                )


class FileCache:
    """URL path → CachedFile for public/ and the media folder, least recently used out first."""

    def __init__(self, public_dir, media_dir, max_bytes):
        self.public_dir, self.media_dir = Path(public_dir), Path(media_dir)
        self.max_bytes, self.bytes = max_bytes, 0
        self.entries = OrderedDict()
        self.generation = self._read_generation()

    def _read_generation(self):
        try:
            return (self.public_dir / GENERATION_FILE).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def forget_if_published(self):
        """Forget every file if the publisher wrote since the last call; returns whether it did."""
        generation = self._read_generation()
        if generation == self.generation:
            return False
        self.generation = generation
        self.entries.clear()
        self.bytes = 0
        return True

    def get(self, url_path):
        """The CachedFile for the decoded URL ``url_path``, or None when no file answers it."""
        entry = self.entries.get(url_path)
        if entry is not None:
            self.entries.move_to_end(url_path)
            return entry
        entry = self._load(url_path)
        if entry is not None and entry.path is None:
            self.entries[url_path] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes and self.entries:
                self.bytes -= self.entries.popitem(last=False)[1].size
        return entry

    def _load(self, url_path):
        """Read the file for ``url_path`` (or its 410 marker) from disk; None when there is none to serve."""
        try:
            relative = file_for(url_path)
        except UnsafePath:
            return None
        if url_path.startswith(MEDIA_PREFIX):
            root, relative = self.media_dir, relative[len("media/") :]
        else:
            root = self.public_dir
        path, status = root / relative, 200
        try:
            if not path.is_file():
                if not relative.endswith(INDEX):
                    return None
                path, status = path.with_name(GONE_MARKER), 410
                if not path.is_file():
                    return None
            stat = path.stat()
            if stat.st_size > MAX_CACHED_FILE:
                # nginx's ETag: modification time and size, so a large file is never read just to name it.
                return CachedFile(path, url_path, status, {None: None}, f"{int(stat.st_mtime):x}-{stat.st_size:x}")
            bodies = {None: path.read_bytes()}
            for coding, suffix in (("br", ".br"), ("gzip", ".gz")):
                variant = path.with_name(path.name + suffix)
                if variant.is_file():
                    bodies[coding] = variant.read_bytes()
            digest = hashlib.blake2b(bodies[None], digest_size=10).hexdigest()
            entry = CachedFile(path, url_path, status, bodies, digest)
            entry.path = None  # in memory: never read from disk again
            return entry
        except OSError:
            return None  # removed between the checks, unreadable, or a name too long: let the app answer
