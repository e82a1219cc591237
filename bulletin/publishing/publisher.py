"""Turn outbox entries into files in public/, in order, one process at a time.

Every serving process may publish (the admin runs in all of them), so an OS file lock on public/ makes them
take turns; whoever holds it drains every pending entry, its own and the others'. Small entries (one publish)
go before background ones, which advance in batches so a new story never waits behind a whole-site re-render.

An entry whose files cannot all be written (a full disk, a read-only public/, a page that fails to render) stays
pending with its error and is tried again after an exponential backoff (models.retry_delay), by the publisher
thread and by the scheduler's periodic refresh_timed_files(). Entries after it are not held back. Order is kept
where it matters: every file is rendered from the database as it is when it is written, so a retried older
entry writes the current content, never the content of its time, and no file goes back in time.
"""

import atexit
import fcntl
import logging
import os
import queue
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Max
from django.utils import timezone

from . import plan
from .failures import PublishFailed
from .models import RETRY_MAX_DELAY, OutboxEntry
from .paths import file_for, gone_marker_for
from .render import Renderer
from .second_process import HelperFailed, RenderingHelper
from .storage import FilesystemStorage

logger = logging.getLogger(__name__)

#: URLs of a background entry rendered before pending publishes get their turn again.
BACKGROUND_BATCH = 100

#: Threads that write rendered files while the next URL renders. Compressing and writing release the GIL, and
#: ext4 makes a rename over an existing file start writing the new one out (about 1.4 ms here, three times per
#: page with its variants): in line, that was a third of a publish (bench/README.md).
WRITER_THREADS = 4


def record(reason, plan):
    """Write the outbox rows for ``plan`` in the current transaction and wake the publisher after commit."""
    if plan.now:
        OutboxEntry.objects.create(reason=reason, urls=plan.now)
    if plan.next:
        OutboxEntry.objects.create(reason=reason, urls=plan.next)
    if plan.later:
        OutboxEntry.objects.create(reason=reason, urls=plan.later, background=True)
    transaction.on_commit(_after_commit)


def _after_commit():
    if settings.BULLETIN_PUBLISHER == "inline":
        Publisher().publish_pending()
    elif settings.BULLETIN_PUBLISHER == "thread":
        _thread.wake()


class Publisher:
    """Renders URLs into public/ through the live views."""

    def __init__(self, public_dir=None, durable=True, helper=None):
        self.storage = FilesystemStorage(public_dir or settings.BULLETIN_PUBLIC_DIR, durable=durable)
        self._renderer = None
        self._lock_file = None
        if helper is None:
            helper = settings.BULLETIN_PUBLISHER_HELPER
        self.helper = _helper if helper else None

    @property
    def renderer(self):
        if self._renderer is None:
            self._renderer = Renderer()
        return self._renderer

    @contextmanager
    def lock(self):
        """Hold public/'s publisher lock (blocks while another process publishes)."""
        try:
            self.storage.root.mkdir(parents=True, exist_ok=True)
            lock = os.open(Path(self.storage.root) / ".publisher.lock", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError:
            # public/ is read-only (full, remounted, made immutable): lock the folder itself and go on, so that
            # the attempts fail one at a time and are recorded in the outbox, rather than failing here unrecorded.
            lock = os.open(self.storage.root, os.O_RDONLY)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._lock_file = lock  # the helper holds it too while it renders for us
            try:
                yield
            finally:
                self._lock_file = None
                fcntl.flock(lock, fcntl.LOCK_UN)
        finally:
            os.close(lock)

    def publish_urls(self, urls):
        """Render each of ``urls`` and make public/ match: write its page, write its 410 marker, or remove it.
        Files are written by a few threads while the next URL renders; all of them are on disk on return.
        Returns the number of files that changed. If any URL fails, the others are published first and then
        PublishFailed is raised."""
        outcomes, rendered_pages = [], queue.SimpleQueue()  # outcomes: (url, files changed, error or None)

        def write():
            while (rendered := rendered_pages.get()) is not None:
                try:
                    outcomes.append((rendered.url, self._apply(rendered), None))
                except Exception as error:
                    outcomes.append((rendered.url, 0, error))

        # Plain threads rather than concurrent.futures, whose pools take no work once the interpreter starts to
        # exit, which is when an exiting process's publisher thread finishes its last publishes (finish()).
        writers = [threading.Thread(target=write, name="bulletin-writer") for _ in range(WRITER_THREADS)]
        for writer in writers:
            writer.start()
        try:
            for url in urls:
                try:
                    rendered_pages.put(self.renderer.render(url))
                except Exception as error:
                    outcomes.append((url, 0, error))
        finally:
            for _ in writers:
                rendered_pages.put(None)
            for writer in writers:
                writer.join()
        changed = sum(changed for _, changed, _ in outcomes)
        failed = [(url, error) for url, _, error in outcomes if error is not None]
        for url, error in failed:
            logger.error("could not publish %s", url, exc_info=error)
        if failed:
            raise PublishFailed(failed, changed)
        return changed

    def _apply(self, rendered):
        """Make public/ show ``rendered``; returns the number of files that changed."""
        url = rendered.url
        page, marker = file_for(url), gone_marker_for(url) if url.endswith("/") else None
        changed = 0
        if rendered.status == 200:
            changed += self.storage.write(page, rendered.body)
            changed += bool(marker and self.storage.remove(marker))
        elif rendered.status == 410 and marker:
            changed += self.storage.write(marker, rendered.body)
            changed += self.storage.remove(page)
        elif rendered.status in (301, 302, 404, 410):
            # Gone without a marker, moved (an editor's redirect is answered by the app), or never there.
            changed += self.storage.remove(page)
            changed += bool(marker and self.storage.remove(marker))
        else:
            raise RuntimeError(f"rendering {url} answered {rendered.status}; public/ left as it was")
        return changed

    def publish_pending(self, now=None, retry_now=False):
        """Render every pending outbox entry that is due (never tried, or its retry time has passed at ``now``;
        with ``retry_now``, every pending entry); returns the number of files written or removed. An entry that
        fails stays pending (OutboxEntry.record_failure), is not tried again in this call, and the next one is
        rendered."""
        if retry_now:
            now = OutboxEntry.objects.pending().aggregate(last=Max("next_attempt_at"))["last"]
        changed, failed = 0, set()
        with self.lock():
            while (entry := self._next_due(now, failed)) is not None:
                partner = self._hand_to_helper(entry, now)
                try:
                    changed += self._publish_entry(entry)
                finally:  # even when this entry failed: the helper's answer must not be left for the next one
                    if partner is not None:
                        changed += self._finish_partner(partner)
                failed |= {e.id for e in (entry, partner) if e is not None and e.done_at is None and e.last_error}
        return changed

    @staticmethod
    def _next_due(now, failed):
        due = OutboxEntry.objects.due(now or timezone.now()).exclude(id__in=failed)
        return due.order_by("background", "id").first()

    def _publish_entry(self, entry):
        batch_end = len(entry.urls) if not entry.background else entry.progress + BACKGROUND_BATCH
        self.renderer.new_batch()
        changed = 0
        try:
            try:
                changed = self.publish_urls(entry.urls[entry.progress : batch_end])
            except PublishFailed as failure:
                changed = failure.changed
                raise
            finally:
                if changed:  # readers get these pages (and the live feed its event) now, not after the helper
                    self.storage.bump_generation()
        except Exception as error:
            entry.record_failure(error, timezone.now())
            logger.error(
                "outbox entry %s (%s) failed (attempt %s); next attempt at %s",
                entry.id,
                entry.reason,
                entry.attempts,
                entry.next_attempt_at,
            )
            return changed
        entry.record_progress(min(batch_end, len(entry.urls)), timezone.now())
        return changed

    def _hand_to_helper(self, entry, now):
        """Give the helper the entry after ``entry`` to render meanwhile, and return it; None when there is
        none, when it is a background entry, or when it shares a URL with ``entry`` (two processes must never
        write the same file: the older content could land last)."""
        if self.helper is None or not self.helper.usable or entry.background or entry.progress:
            return None
        partner = (
            OutboxEntry.objects.due(now or timezone.now())
            .filter(background=False, id__gt=entry.id)
            .order_by("id")
            .first()
        )
        if partner is None or partner.progress or set(partner.urls) & set(entry.urls):
            return None
        try:
            self.helper.start(self.storage.root, self.storage.durable, partner.urls, self._lock_file)
        except Exception:
            logger.exception("could not start the publisher's helper; publishing without it")
            self.helper.usable = False
            return None
        return partner

    def _finish_partner(self, partner):
        try:
            changed, error = self.helper.finish()
        except HelperFailed:
            # This process renders everything itself from now on; the loop finds the entry still pending.
            logger.exception("the publisher's helper failed; publishing without it")
            return 0
        try:
            if changed:
                self.storage.bump_generation()
        except Exception as bump_error:
            error = error or f"{type(bump_error).__name__}: {bump_error}"
        if error:
            partner.record_failure(error, timezone.now())
            logger.error(
                "outbox entry %s (%s) failed (attempt %s): %s", partner.id, partner.reason, partner.attempts, error
            )
        else:
            partner.record_progress(len(partner.urls), timezone.now())
        return changed


#: When this process last rendered the timed URLs (plan.timed_urls): the head of the News Feed is rendered again
#: on the first refresh after midnight in the newsroom's time zone, and once when a process starts.
_timed_rendered_at = None


def refresh_timed_files(publisher=None, now=None):
    """Retry the outbox entries that are due (see Publisher.publish_pending), then render the files that change
    with the clock alone (plan.timed_urls) and write those that changed, so that a newsroom quiet for two days
    still drops old stories from its news sitemap, and the News Feed stops saying "Today" about yesterday's
    stories just after midnight. Returns the files changed. The embedded scheduler of `bulletin serve` calls it
    every BULLETIN_SCHEDULER_INTERVAL seconds."""
    global _timed_rendered_at
    publisher = publisher or Publisher()
    changed = publisher.publish_pending(now)
    moment = now or timezone.now()
    with publisher.lock():
        publisher.renderer.new_batch()
        timed = publisher.publish_urls(plan.timed_urls(moment, _timed_rendered_at))
        _timed_rendered_at = moment
        if timed:
            publisher.storage.bump_generation()
    return changed + timed


class _PublisherThread:
    """One publisher thread per process, started on the first publish. A process that exits (a management
    command, `bulletin manage shell`) first lets it finish what was committed (see finish())."""

    #: Longest an exiting process waits for its publisher; whatever is left stays in the outbox for a replay.
    EXIT_TIMEOUT = 60

    def __init__(self):
        self._event = threading.Event()
        self._thread = None
        self._start = threading.Lock()
        self._stopping = False
        atexit.register(self.finish)

    def finish(self):
        if self._thread is not None and self._thread.is_alive():
            self._stopping = True
            self._event.set()
            self._thread.join(timeout=self.EXIT_TIMEOUT)

    def wake(self):
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="bulletin-publisher", daemon=True)
                self._thread.start()
        self._event.set()

    def _run(self):
        publisher = Publisher()
        wait = None
        while True:
            self._event.wait(wait)  # woken by a publish, or when the earliest failed entry is due again
            self._event.clear()
            try:
                publisher.publish_pending()
                wait = _seconds_until_next_attempt()
            except Exception:  # the entry stays pending; try again later, or on the next wake or restart
                logger.exception("publishing failed")
                wait = RETRY_MAX_DELAY.total_seconds()
            finally:
                close_old_connections()
            if self._stopping:
                return


def _seconds_until_next_attempt():
    """Seconds until the earliest pending entry is due again; None when no entry waits for a retry."""
    next_at = (
        OutboxEntry.objects.pending()
        .exclude(next_attempt_at=None)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if next_at is None:
        return None
    return max((next_at - timezone.now()).total_seconds(), 0) + 0.05


_helper = RenderingHelper(f"{__name__}.Publisher")
_thread = _PublisherThread()


def finish_background_publishing():
    """Wait (up to EXIT_TIMEOUT) until this process's publisher thread has published what was committed.

    A command calls it before it returns (bulletin/cli.py): the atexit hook comes too late for some work, since an
    exiting interpreter first shuts thread pools down (concurrent.futures), and Wagtail makes several renditions of
    one image in a pool: a new picture in a story published just before the exit failed to render there."""
    _thread.finish()
