"""Post bodies turned into blocks in a second process, ahead of the loader that writes them.

The loader is one process writing one transaction; turning HTML into blocks (lxml, the nh3 sanitizer) was a fifth
of a WordPress import's time (bench/README.md). On a machine with two or more CPUs a forked worker converts the
bodies of the next posts while the loader writes the ones before: the records keep their order, and at most
AHEAD chunks are in flight, so the export is still streamed. Only the HTML crosses to the worker and only the
blocks come back.

Fork, not spawn: the worker needs no setup of its own (Django is loaded, the sanitizer's settings read), and it
touches neither the database connection it inherits nor anything else but its arguments; it ends with
multiprocessing's ``os._exit``, which closes no connection of the parent's.
"""

import collections
import itertools
import multiprocessing
import os

from . import body
from .records import Post

#: Records per chunk sent to the worker, and chunks converted ahead of the loader.
CHUNK = 200
AHEAD = 4


def ahead(records, wordpress):
    """``records`` as they come, each Post's HTML body converted (``html_blocks``) by a second process."""
    if (os.cpu_count() or 1) < 2:
        yield from records  # nothing to gain: the loader converts each body itself
        return
    with multiprocessing.get_context("fork").Pool(1) as worker:
        pending = collections.deque()
        while chunk := list(itertools.islice(records, CHUNK)):
            posts = [r for r in chunk if isinstance(r, Post) and r.body_blocks is None and r.body_html]
            bodies = [post.body_html for post in posts]
            pending.append((chunk, posts, worker.apply_async(convert, (bodies, wordpress))))
            if len(pending) > AHEAD:
                yield from _converted(*pending.popleft())
        while pending:
            yield from _converted(*pending.popleft())


def _converted(chunk, posts, blocks):
    for post, post_blocks in zip(posts, blocks.get(), strict=True):
        post.html_blocks = post_blocks
    return chunk


def convert(bodies, wordpress):
    """In the worker: the blocks of each HTML body, or None for one that fails (the loader converts that one
    again itself, and reports the error against its post)."""
    converted = []
    for body_html in bodies:
        try:
            converted.append(body.blocks_of_post(body_html, wordpress))
        except Exception:
            converted.append(None)
    return converted
