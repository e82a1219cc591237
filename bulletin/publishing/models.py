from datetime import timedelta

from django.db import models
from django.db.models import Q

#: A failed entry is tried again this long after its first failure, then twice as long after each next one…
RETRY_FIRST_DELAY = timedelta(seconds=1)
#: …up to this: a full disk or a read-only public/ that an operator fixes is noticed within five minutes.
RETRY_MAX_DELAY = timedelta(minutes=5)


def retry_delay(attempts):
    """How long to wait before trying an entry again after its ``attempts``-th failure in a row."""
    return min(RETRY_FIRST_DELAY * 2 ** min(max(attempts - 1, 0), 20), RETRY_MAX_DELAY)


class OutboxQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(done_at=None)

    def due(self, now):
        """Pending entries to render now: never tried, or whose retry time has come."""
        return self.pending().filter(Q(next_attempt_at=None) | Q(next_attempt_at__lte=now))

    def failing(self):
        """Pending entries whose last attempt failed."""
        return self.pending().exclude(last_error="")


class OutboxEntry(models.Model):
    """URLs to re-render, written in the transaction that changed the content they show.

    An entry is done when every URL has been rendered to public/; after a crash, pending entries are rendered
    again (rendering is idempotent), so public/ converges on what the database committed. An entry whose files
    could not be written stays pending with its error and is tried again at ``next_attempt_at``.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)
    urls = models.JSONField()
    #: Large sets (an author's every story, a template change) are rendered in batches after the small ones.
    background = models.BooleanField(default=False)
    #: How many of ``urls`` are on disk already (background entries advance batch by batch).
    progress = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)
    #: Failed attempts in a row (reset when a batch gets through), the last one's error, and when to try again.
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["background", "id"]
        verbose_name_plural = "outbox entries"

    def __str__(self):
        return f"{self.reason} ({len(self.urls)} URLs)"

    def record_failure(self, error, now):
        """Keep the entry pending, with ``error``, until its next attempt (exponential backoff)."""
        self.attempts += 1
        self.last_error = str(error)[:2000] or type(error).__name__
        self.next_attempt_at = now + retry_delay(self.attempts)
        self.save(update_fields=["attempts", "last_error", "next_attempt_at"])

    def record_progress(self, progress, now):
        """``progress`` of its URLs are on disk; done when that is all of them."""
        self.progress = progress
        if progress >= len(self.urls):
            self.done_at = now
        self.attempts, self.last_error, self.next_attempt_at = 0, "", None
        self.save(update_fields=["progress", "done_at", "attempts", "last_error", "next_attempt_at"])


class GoneURL(models.Model):
    """A URL that showed a story which is no longer published: readers get 410 Gone there
    (unless an editor set a redirect, which wins)."""

    path = models.CharField(max_length=1024, unique=True)
    removed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.path
