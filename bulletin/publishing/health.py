"""Whether the public site keeps up with the newsroom: the outbox's pending and failing entries, for /healthz and
the admin's warning."""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.formats import time_format

from .models import OutboxEntry


@dataclasses.dataclass(frozen=True)
class OutboxHealth:
    pending: int
    #: Pending entries whose last attempt failed, and the distinct changes (outbox reasons) among them.
    failing: int
    failing_changes: int
    oldest_pending_at: datetime.datetime | None
    #: When the oldest failing change was made: readers have not seen it since.
    failing_since: datetime.datetime | None
    last_error: str

    @classmethod
    def now(cls):
        pending = OutboxEntry.objects.pending()
        failing = OutboxEntry.objects.failing()
        last_failed = failing.order_by("-next_attempt_at").values_list("last_error", flat=True).first()
        return cls(
            pending=pending.count(),
            failing=failing.count(),
            failing_changes=failing.values("reason").distinct().count(),
            oldest_pending_at=pending.aggregate(at=Min("created_at"))["at"],
            failing_since=failing.aggregate(at=Min("created_at"))["at"],
            last_error=last_failed or "",
        )

    def degraded(self, now):
        """An entry has been failing for longer than BULLETIN_HEALTH_MAX_FAILING_SECONDS."""
        limit = datetime.timedelta(seconds=settings.BULLETIN_HEALTH_MAX_FAILING_SECONDS)
        return self.failing_since is not None and now - self.failing_since > limit

    def as_json(self, now):
        age = (now - self.oldest_pending_at).total_seconds() if self.oldest_pending_at else None
        return {
            "status": "degraded" if self.degraded(now) else "ok",
            "outbox": {
                "pending": self.pending,
                "failing": self.failing,
                "oldest_pending_at": self.oldest_pending_at.isoformat() if self.oldest_pending_at else None,
                "oldest_pending_age_seconds": round(age, 3) if age is not None else None,
                "last_error": self.last_error,
            },
        }

    def warning(self):
        """What editors read in the admin while changes fail to reach public/; None when none does."""
        if not self.failing:
            return None
        changes = "1 change has" if self.failing_changes == 1 else f"{self.failing_changes} changes have"
        since = time_format(timezone.localtime(self.failing_since), "H:i")
        return f"{changes} not reached the public site since {since}: {self.last_error}"
