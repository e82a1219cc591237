"""public/live/latest.json and public/live/<topic>.json: the polling fallback for pages whose server-sent events
fail or are blocked."""

from django.http import JsonResponse

from .models import LATEST, LiveEvent


def latest_events(request):
    """The last LATEST events, oldest first; the publisher rewrites the file on every publish. Every topic's: the
    fronts of `bulletin serve` read their events from this file."""
    return _events_response(LiveEvent.objects.order_by("-id")[:LATEST])


def topic_events(request, topic):
    """The last LATEST events of one topic (a live blog's entries), for its pages' polling fallback."""
    return _events_response(LiveEvent.objects.filter(payload__topic=topic).order_by("-id")[:LATEST])


def _events_response(newest_first):
    events = reversed(newest_first)
    return JsonResponse(
        {"events": [event.as_message() for event in events]},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
