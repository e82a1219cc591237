"""What an import remembers: which Bulletin object each source object became, so a rerun changes nothing."""

from django.db import models


class ImportedObject(models.Model):
    """One object of an export (a post, an author, a category, a tag, an image) and the Bulletin object it became.

    ``source`` names the site ("wordpress:https://example.org", "ghost"); ``fingerprint`` is a digest of what
    the export said about the object, so a newer export of the same site updates only what changed.
    """

    source = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    source_id = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "source_id"], name="imported_object_unique_source_id")
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.source_id} → {self.object_id}"
