"""Scheduled publishing without cron: a thread in `bulletin serve` runs Wagtail's publish_scheduled.

Wagtail only publishes a page whose go-live time has passed when its `publish_scheduled` command runs; a
newsroom on one small server should not have to set up cron for that. Behind several app servers, run the
scheduler in one of them only (`bulletin serve --no-scheduler` on the others). It also takes the breaking-news
banner down at its end time. The caller may add other
periodic tasks (`serve` adds the publisher's refresh of files that change with the clock).
"""

import io
import logging
import threading

from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.utils import timezone

from bulletin.newsroom.models import BreakingNews

logger = logging.getLogger(__name__)


def publish_due_pages():
    """Publish every page whose go-live time has passed and unpublish every expired one."""
    out = io.StringIO()
    # One transaction: Wagtail's publish action commits each page before sending page_published, and the
    # static publisher's outbox row must commit with the page it describes.
    with transaction.atomic():
        call_command("publish_scheduled", stdout=out)
    return out.getvalue()


def take_down_ended_banner(now=None):
    """Take the breaking-news banner down once its end time has passed: saving it empty rewrites
    public/live/banner.json and sends the live event, for readers whose page does not clear it by itself."""
    now = now or timezone.now()
    with transaction.atomic():
        banner = BreakingNews.objects.select_for_update().first()
        if banner is None or not banner.text or banner.ends_at is None or banner.ends_at > now:
            return ""
        text = banner.text
        banner.text, banner.link, banner.ends_at = "", "", None
        banner.save()
    return f"breaking news taken down at its end time: {text}"


def _run(interval, stop, tasks):
    while not stop.is_set():
        for task in tasks:
            try:
                report = str(task() or "").strip()
                if report:
                    logger.info("%s: %s", task.__name__, report)
            except Exception:  # keep the loop alive: one failure must not stop every later scheduled story
                logger.exception("%s failed", task.__name__)
            finally:
                close_old_connections()
        stop.wait(interval)


def start(interval, also=()):
    """Start the scheduler thread: every ``interval`` seconds, publish the due pages, take down an ended banner,
    then run each callable in ``also``. Returns the Event that stops it."""
    stop = threading.Event()
    tasks = (publish_due_pages, take_down_ended_banner, *also)
    threading.Thread(target=_run, args=(interval, stop, tasks), name="bulletin-scheduler", daemon=True).start()
    return stop
