"""Turn outbox entries into files in public/, in order, one process at a time.

Every serving process may publish (the admin runs in all of them), so an OS file lock on public/ makes them
take turns; whoever holds it drains every pending entry, its own and the others'. Small entries (one publish)
go before background ones, which advance in batches so a new story never waits behind a whole-site re-render.
"""

import atexit
import fcntl
import logging
import queue
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from . import plan
from .models import OutboxEntry
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
        self.storage.root.mkdir(parents=True, exist_ok=True)
        with open(Path(self.storage.root) / ".publisher.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            self._lock_file = lock_file  # the helper holds it too while it renders for us
            try:
                yield
            finally:
                self._lock_file = None
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def publish_urls(self, urls, log_errors=True):
        """Render each of ``urls`` and make public/ match: write its page, write its 410 marker, or remove it.
        Files are written by a few threads while the next URL renders; all of them are on disk on return.
        Returns the number of files that changed. A URL that fails is logged and the others are published; with
        ``log_errors`` False, the first failure is raised once the others are on disk."""
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
        failed = [(url, error) for url, _, error in outcomes if error is not None]
        if failed and not log_errors:
            raise failed[0][1]
        for url, error in failed:  # one broken page must not hold back every later publish
            logger.error("could not publish %s; `bulletin build --check` will list it", url, exc_info=error)
        return sum(changed for _, changed, _ in outcomes)

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

    def publish_pending(self):
        """Render every pending outbox entry; returns the number of files written or removed."""
        changed = 0
        with self.lock():
            while (entry := OutboxEntry.objects.filter(done_at=None).order_by("background", "id").first()):
                partner = self._hand_to_helper(entry)
                try:
                    batch_end = len(entry.urls) if not entry.background else entry.progress + BACKGROUND_BATCH
                    self.renderer.new_batch()
                    entry_changed = self.publish_urls(entry.urls[entry.progress:batch_end])
                    entry.progress = min(batch_end, len(entry.urls))
                    if entry.progress == len(entry.urls):
                        entry.done_at = timezone.now()
                    entry.save(update_fields=["progress", "done_at"])
                    changed += entry_changed
                    if entry_changed:  # readers get these pages (and the live feed its event) now, not after the helper
                        self.storage.bump_generation()
                finally:  # even when this entry failed: the helper's answer must not be left for the next one
                    if partner is not None and (partner_changed := self._finish_partner(partner)):
                        changed += partner_changed
                        self.storage.bump_generation()
        return changed

    def _hand_to_helper(self, entry):
        """Give the helper the entry after ``entry`` to render meanwhile, and return it; None when there is
        none, when it is a background entry, or when it shares a URL with ``entry`` (two processes must never
        write the same file: the older content could land last)."""
        if self.helper is None or not self.helper.usable or entry.background or entry.progress:
            return None
        partner = OutboxEntry.objects.filter(done_at=None, background=False, id__gt=entry.id).order_by("id").first()
        if partner is None or partner.progress or set(partner.urls) & set(entry.urls):
            return None
        try:
            self.helper.start(self.storage.root, self.storage.durable, partner.urls, self._lock_file.fileno())
        except Exception:
            logger.exception("could not start the publisher's helper; publishing without it")
            self.helper.usable = False
            return None
        return partner

    def _finish_partner(self, partner):
        try:
            changed = self.helper.finish()
        except HelperFailed:
            # This process renders everything itself from now on; the loop finds the entry still pending.
            logger.exception("the publisher's helper failed; publishing without it")
            return 0
        partner.progress, partner.done_at = len(partner.urls), timezone.now()
        partner.save(update_fields=["progress", "done_at"])
        return changed


def refresh_timed_files(publisher=None):
    """Render the files that change with the clock alone (plan.timed_urls) and write those that changed, so that a
    newsroom quiet for two days still drops old stories from its news sitemap. Returns the files changed."""
    publisher = publisher or Publisher()
    changed = 0
    with publisher.lock():
        publisher.renderer.new_batch()
        changed += publisher.publish_urls(plan.timed_urls(), log_errors=False)
        if changed:
            publisher.storage.bump_generation()
    return changed


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
        while True:
            self._event.wait()
            self._event.clear()
            try:
                publisher.publish_pending()
            except Exception:  # the entry stays pending; the next wake or restart renders it again
                logger.exception("publishing failed")
            finally:
                close_old_connections()
            if self._stopping:
                return


_helper = RenderingHelper(f"{__name__}.Publisher")
_thread = _PublisherThread()
