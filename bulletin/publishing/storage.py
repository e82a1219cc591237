"""Atomic, byte-stable files in public/, with precompressed gzip and brotli variants."""

import gzip
import io
import os
import secrets
import time
from pathlib import Path

import brotli

#: Brotli's top quality (11) took 9 ms for a story page here, as long as rendering it; quality 5 takes 0.2 ms and
#: its output is still about 10% smaller than gzip -9.
BROTLI_QUALITY = 5
#: Content worth compressing ahead of time; images are compressed already.
COMPRESSIBLE = (".html", ".xml", ".json", ".txt", ".css", ".js", ".svg")


def _gzip(data):
    # mtime=0 (and no file name) keeps the output byte-for-byte stable, so an unchanged page never looks changed.
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0, filename="") as zipped:
        zipped.write(data)
    return out.getvalue()


class FilesystemStorage:
    """public/ on a local disk. Each file is written to a temporary name in its folder and renamed into
    place, so a reader (or a crash) only ever sees a complete old or a complete new file."""

    def __init__(self, root, durable=True):
        self.root = Path(root)
        # fsync each file before renaming it into place, so a power cut cannot leave a renamed but empty file.
        # `bulletin build` writes thousands of files and flushes them all once at the end instead (three fsyncs
        # a page took a third of its time); a crash of the process alone never needs fsync, only the rename.
        self.durable = durable

    def path(self, relative):
        return self.root / relative

    def read(self, relative):
        try:
            return self.path(relative).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write(self, relative, data):
        """Write ``data`` (and its compressed variants); returns False when the file held these bytes already."""
        if self.read(relative) == data:
            return False
        # Variants first: a crash between the writes leaves the old page beside a complete new variant, both
        # whole pages, and the outbox replay rewrites the old one.
        self.write_variants(relative, data)
        self._write_atomic(relative, data)
        return True

    def write_variants(self, relative, data):
        """Write the .gz and .br variants of the file ``relative`` holding ``data``, if it is worth compressing
        (the collected static files get theirs from here too: bulletin/publishing/static_files.py)."""
        if relative.endswith(COMPRESSIBLE):
            self._write_atomic(relative + ".gz", _gzip(data))
            self._write_atomic(relative + ".br", brotli.compress(data, quality=BROTLI_QUALITY))

    def remove(self, relative):
        """Remove a file and its variants; returns True if anything was there."""
        removed = False
        for name in (relative, relative + ".gz", relative + ".br"):
            try:
                self.path(name).unlink()
                removed = True
            except (FileNotFoundError, NotADirectoryError):
                pass
        return removed

    def _names(self):
        """The relative name of every file under public/ but the collected static files (collectstatic writes
        those, never this class). os.walk rather than Path.rglob: it does not stat each of the 40,000 files a
        10,000-story site has (about 0.4 s instead of 2 s on the build benchmark's machine)."""
        for folder, subfolders, names in os.walk(self.root):
            base = os.path.relpath(folder, self.root)
            if base == ".":
                base = ""
                if "static" in subfolders:
                    subfolders.remove("static")
            for name in names:
                yield f"{base}/{name}" if base else name

    def files(self):
        """Every page file under public/ (not the variants, temporary files, the publisher's own dot files at the
        top, or the collected static files)."""
        for relative in self._names():
            name = relative.rpartition("/")[2]
            if not (relative.startswith(".") or name.startswith(".tmp-") or relative.endswith((".gz", ".br"))):
                yield relative

    def write_own_file(self, relative, data):
        """Write a file of the servers' own (a dot file at the top, never served to readers), atomically, as it is."""
        self._write_atomic(relative, data)

    def bump_generation(self):
        """Tell the servers that keep public/ in memory (the front of `bulletin serve`) that files changed."""
        self._write_atomic(".generation", str(time.time_ns()).encode())

    def remove_temporary_files(self):
        """Remove the temporary files a crash left behind mid-write; returns how many."""
        leftovers = [relative for relative in self._names() if relative.rpartition("/")[2].startswith(".tmp-")]
        for relative in leftovers:
            self.path(relative).unlink(missing_ok=True)
        return len(leftovers)

    def _write_atomic(self, relative, data):
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".tmp-{secrets.token_hex(6)}-{target.name}")
        try:
            with open(temporary, "wb") as out:
                out.write(data)
                if self.durable:
                    out.flush()
                    os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
