"""Scheduled publishing without cron: a thread in `bulletin serve` runs Wagtail's publish_scheduled.

Wagtail only publishes a page whose go-live time has passed when its `publish_scheduled` command runs; a
newsroom on one small server should not have to set up cron for that. Behind several app servers, run the
scheduler in one of them only (`bulletin serve --no-scheduler` on the others).
"""

import io
import logging
import threading

from django.core.management import call_command
from django.db import close_old_connections, transaction

logger = logging.getLogger(__name__)


def publish_due_pages():
    """Publish every page whose go-live time has passed and unpublish every expired one."""
    out = io.StringIO()
    # One transaction: Wagtail's publish action commits each page before sending page_published, and the
    # static publisher's outbox row must commit with the page it describes.
    with transaction.atomic():
        call_command("publish_scheduled", stdout=out)
    return out.getvalue()


def _run(interval, stop):
    while not stop.is_set():
        try:
            report = publish_due_pages()
            if report.strip():
                logger.info("scheduled publishing: %s", report.strip())
        except Exception:  # keep the loop alive: one failure must not stop every later scheduled story
            logger.exception("scheduled publishing failed")
        finally:
            close_old_connections()
        stop.wait(interval)


def start(interval):
    """Start the scheduler thread; returns the Event that stops it."""
    stop = threading.Event()
    threading.Thread(target=_run, args=(interval, stop), name="bulletin-scheduler", daemon=True).start()
    return stop
