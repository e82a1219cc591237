"""The events that open News Feed pages receive: one row per publish, update or unpublish of a story."""

from django.db import models

#: Events kept for readers who resume (Last-Event-ID) or poll; older rows are deleted as new ones arrive.
BACKLOG = 100
#: Events in public/live/latest.json, the polling fallback: small, since it is fetched every few seconds.
LATEST = 20


class LiveEvent(models.Model):
    PUBLISHED, UPDATED, UNPUBLISHED, BANNER = "published", "updated", "unpublished", "banner"
    TYPES = [(PUBLISHED, "Published"), (UPDATED, "Updated"), (UNPUBLISHED, "Unpublished"), (BANNER, "Banner")]

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)
    type = models.CharField(max_length=12, choices=TYPES)
    #: What readers get, fixed when the event is created: for "published" and "updated", the story's fields and
    #: rendered feed items ({"story": {...}, "html", "html_compact"}); for "unpublished", only the story's id and
    #: the ids of its earlier events, which were deleted with it ({"story": {"id"}, "removes": [ids]}); for
    #: "banner", the breaking-news banner as readers now see it ({"banner": {"text", "link", "ends_at"} or None}).
    payload = models.JSONField()

    class Meta:
        ordering = ["id"]

    def as_message(self):
        """The event as sent over server-sent events, Redis and latest.json."""
        return {"id": self.id, "type": self.type, "at": self.created_at.isoformat(), **self.payload}
