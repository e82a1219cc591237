"""`bulletin build`: render the whole site into public/, or check that public/ matches the database."""

import dataclasses
import multiprocessing
import os

from django.db import connection, connections
from django.utils import timezone
from tqdm import tqdm

from bulletin.newsroom.blocks import reusing_images
from bulletin.newsroom.models import preloaded_stories

from . import plan
from .models import GoneURL, OutboxEntry
from .paths import file_for, gone_marker_for
from .publisher import Publisher

#: URLs one worker renders per task: large enough to amortise the hand-off, small enough for a smooth bar.
CHUNK = 50


@dataclasses.dataclass
class BuildResult:
    pages: int
    changed: int
    removed: int


def _gone_urls():
    return list(GoneURL.objects.values_list("path", flat=True))


#: The images that the chunks of one build share (see blocks.reusing_images); each worker process fills its own.
_images = {}


def _render_chunk(urls):
    publisher = Publisher(durable=False)  # build() flushes everything to disk once, at the end
    story_slugs = [url.strip("/") for url in urls if url.endswith("/") and url.count("/") == 2]
    with preloaded_stories(story_slugs), reusing_images(_images):
        return publisher.publish_urls(urls), len(urls)


def _start_worker():
    import django

    django.setup()


def build(workers=None, progress=False):
    """Render every URL of the site into public/ with ``workers`` processes and remove files no URL owns.

    Pending outbox entries created before the build are marked done: the build rendered their URLs too.
    """
    started = timezone.now()
    _images.clear()  # loaded by an earlier build in this process: they may have changed since
    urls = plan.all_urls() + _gone_urls()
    chunks = [urls[i:i + CHUNK] for i in range(0, len(urls), CHUNK)]
    workers = workers or os.cpu_count() or 1
    if connection.in_atomic_block:
        # Inside a transaction Django cannot close the connection, and forked workers would share its socket
        # (and miss its uncommitted rows): render in this process instead.
        workers = 1
    changed = 0
    bar = tqdm(total=len(urls), unit="page", disable=not progress)
    if workers == 1:
        for chunk in chunks:
            done_changed, done = _render_chunk(chunk)
            changed += done_changed
            bar.update(done)
    else:
        connections.close_all()  # forked workers must open their own database connections
        with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker) as pool:
            for done_changed, done in pool.imap_unordered(_render_chunk, chunks):
                changed += done_changed
                bar.update(done)
    bar.close()
    removed = _remove_orphans()
    os.sync()  # the rendered files were written without a flush each: make them durable before trusting them
    Publisher().storage.bump_generation()
    OutboxEntry.objects.filter(done_at=None, created_at__lte=started).update(done_at=timezone.now())
    return BuildResult(pages=len(urls), changed=changed, removed=removed)


def _owned_files():
    """The files public/ should hold: each live URL's page and each removed story's 410 marker."""
    return {file_for(url) for url in plan.all_urls()} | {gone_marker_for(url) for url in _gone_urls()}


def _remove_orphans():
    """Remove page files that no URL of the site owns any more (a story unpublished while nobody was publishing)."""
    publisher = Publisher()
    owned = _owned_files()
    publisher.storage.remove_temporary_files()
    return sum(publisher.storage.remove(name) for name in list(publisher.storage.files()) if name not in owned)


@dataclasses.dataclass
class CheckResult:
    stale: list
    missing: list
    extra: list

    @property
    def ok(self):
        return not (self.stale or self.missing or self.extra)


def check(progress=False):
    """Render every URL in memory and compare with public/: stale, missing and extra files."""
    publisher = Publisher()
    stale, missing = [], []
    for url in tqdm(plan.all_urls() + _gone_urls(), unit="page", disable=not progress):
        rendered = publisher.renderer.render(url)
        if rendered.status == 200:
            name = file_for(url)
        elif rendered.status == 410:
            name = gone_marker_for(url)
        else:
            continue
        on_disk = publisher.storage.read(name)
        if on_disk is None:
            missing.append(name)
        elif on_disk != rendered.body:
            stale.append(name)
    owned = _owned_files()
    extra = sorted(name for name in publisher.storage.files() if name not in owned)
    return CheckResult(stale=stale, missing=missing, extra=extra)

