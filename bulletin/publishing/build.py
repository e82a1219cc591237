"""`bulletin build`: render the whole site into public/, or check that public/ matches the database."""

import dataclasses
import multiprocessing
import os

from django.db import connection, connections
from django.db.models import Prefetch
from django.utils import timezone
from tqdm import tqdm
from wagtail.models import PageViewRestriction

from bulletin.newsroom import render_memo
from bulletin.newsroom.blocks import reusing_images
from bulletin.newsroom.models import Byline, StoryPage

from . import plan, redirect_map
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


#: What a removed story's URL of _gone_urls() shows: its 410 page.
GONE = "gone"


def _gone_urls():
    return [plan.SiteURL(path, GONE) for path in GoneURL.objects.values_list("path", flat=True)]


#: The images that the chunks of one build share (see blocks.reusing_images); each worker process fills its own.
_images = {}


def preload_stories(renderer, slugs):
    """Load the live stories with these ``slugs`` in a handful of queries, together with what their pages show
    (section, image and its renditions, bylines, tags, corrections, sources, and whether the site has any view
    restriction at all), for the renderer's current batch: NewsFeedPage.route() serves them from memory
    (newsroom/render_memo.py, PRELOADED_STORIES).

    `bulletin build` renders thousands of stories in a row. One at a time, a story page makes nine small queries,
    and Django's query compiler costs more than the database for each: compiling the story query alone takes
    0.7 ms of the 7 ms a page takes. The objects are those a query in the view would return.
    """
    # With their renditions prefetched, Wagtail neither asks the database nor its cache for the feature image
    # and avatar sizes a page shows.
    bylines = Prefetch(
        "bylines",
        queryset=Byline.objects.select_related("author__avatar").prefetch_related("author__avatar__renditions"),
    )
    stories = (
        StoryPage.objects.live()
        .filter(slug__in=slugs)
        .select_related("section", "feature_image")
        .prefetch_related(bylines, "tags", "corrections", "sources", "feature_image__renditions")
    )
    unrestricted = not PageViewRestriction.objects.exists()
    found = {}
    for story in stories:
        # What StoryPage computes itself otherwise: its cached ``authors``, and the answer that lets
        # get_view_restrictions() skip its two queries.
        story.__dict__["authors"] = [byline.author for byline in story.bylines.all()]
        story.__dict__["site_has_no_view_restrictions"] = unrestricted
        found[(story.path[: -story.steplen], story.slug)] = story
    renderer.memo[render_memo.PRELOADED_STORIES] = found


def _render_chunk(entries):
    publisher = Publisher(durable=False)  # build() flushes everything to disk once, at the end
    preload_stories(publisher.renderer, [entry.slug for entry in entries if entry.kind == plan.STORY])
    with reusing_images(_images):
        return publisher.publish_urls([entry.url for entry in entries]), len(entries)


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
    chunks = [urls[i : i + CHUNK] for i in range(0, len(urls), CHUNK)]
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
    redirect_map.write(Publisher(durable=False).storage)
    os.sync()  # the rendered files were written without a flush each: make them durable before trusting them
    Publisher().storage.bump_generation()
    OutboxEntry.objects.filter(done_at=None, created_at__lte=started).update(done_at=timezone.now())
    return BuildResult(pages=len(urls), changed=changed, removed=removed)


def _owned_files():
    """The files public/ should hold: each live URL's page and each removed story's 410 marker."""
    return {file_for(entry.url) for entry in plan.all_urls()} | {gone_marker_for(entry.url) for entry in _gone_urls()}


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
    for entry in tqdm(plan.all_urls() + _gone_urls(), unit="page", disable=not progress):
        url = entry.url
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
