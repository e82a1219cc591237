"""Pages with a live feed carry the id of the newest event, so a reader's stream resumes from the rendered page."""

from django.utils.functional import SimpleLazyObject

from .models import LiveEvent


def _last_event_id():
    return LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def live(request):
    # Lazy: only the News Feed and the widget show it, and story pages should not pay a query for it.
    return {"live_last_event": SimpleLazyObject(_last_event_id)}
