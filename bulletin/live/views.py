"""public/live/latest.json and public/live/<topic>.json, the polling fallback for pages whose server-sent events
fail or are blocked, and public/live/banner.json, the breaking-news banner that every reader page fetches when it
opens."""

from django.http import JsonResponse

from bulletin.newsroom.models import BreakingNews

from .models import LATEST, LiveEvent

_COMPACT_JSON = {"ensure_ascii": False, "separators": (",", ":")}


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
        json_dumps_params=_COMPACT_JSON,
    )


def breaking_news(request):
    """The banner as readers see it now ({"banner": null} when there is none or its end time has passed), and the
    id of the newest banner event: a page ignores banner events up to that id, which this file already reflects.
    The id changes with the banner only, so story events leave the file as it is. The publisher rewrites it when
    an editor changes the banner (one file, whatever the size of the archive), and the scheduler takes the banner
    down at its end time."""
    # The id first, then the banner: if a change commits between the two reads, the page gets the newer banner
    # and applies its event once more, rather than the older banner and an id that hides the change.
    banner_events = LiveEvent.objects.filter(type=LiveEvent.BANNER).order_by("-id")
    last_id = banner_events.values_list("id", flat=True).first() or 0
    banner = BreakingNews.load(request_or_site=request)
    return JsonResponse({"id": last_id, "banner": banner.for_readers()}, json_dumps_params=_COMPACT_JSON)
