"""public/live/latest.json: the polling fallback for pages whose server-sent events fail or are blocked."""

from django.http import JsonResponse

from .models import LATEST, LiveEvent


def latest_events(request):
    """The last LATEST events, oldest first; the publisher rewrites the file on every publish."""
    events = reversed(LiveEvent.objects.order_by("-id")[:LATEST])
    return JsonResponse(
        {"events": [event.as_message() for event in events]},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
