from django.db import models


class OutboxEntry(models.Model):
    """URLs to re-render, written in the transaction that changed the content they show.

    An entry is done when every URL has been rendered to public/; after a crash, pending entries are rendered
    again (rendering is idempotent), so public/ converges on what the database committed.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)
    urls = models.JSONField()
    #: Large sets (an author's every story, a template change) are rendered in batches after the small ones.
    background = models.BooleanField(default=False)
    #: How many of ``urls`` are on disk already (background entries advance batch by batch).
    progress = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["background", "id"]
        verbose_name_plural = "outbox entries"

    def __str__(self):
        return f"{self.reason} ({len(self.urls)} URLs)"


class GoneURL(models.Model):
    """A URL that showed a story which is no longer published: readers get 410 Gone there
    (unless an editor set a redirect, which wins)."""

    path = models.CharField(max_length=1024, unique=True)
    removed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.path
