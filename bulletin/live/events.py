"""Creating live events in the publishing transaction, and handing them to Redis after commit."""

import json
import logging

from django.conf import settings
from django.db import transaction
from wagtail import hooks

from .models import BACKLOG, LiveEvent

logger = logging.getLogger(__name__)

#: The Wagtail hook that renders a story's News Feed item for the events: ``fn(story, compact)`` returns its HTML
#: (``compact``: as the widget beside a story shows it). The reader site registers it (web/wagtail_hooks.py): the
#: markup is the reader site's own, and a reader's page inserts the item as it comes. Without one, events carry
#: no HTML.
FEED_ITEM_HOOK = "bulletin_live_feed_item"


def redis_names():
    """The pub/sub channel every `bulletin serve` front subscribes to, and the list that holds the backlog for
    fronts that reconnect; both under BULLETIN_LIVE_CHANNEL, so several newsrooms can share one Redis."""
    return settings.BULLETIN_LIVE_CHANNEL, f"{settings.BULLETIN_LIVE_CHANNEL}:backlog"


def story_payload(story):
    """What a reader's page needs to show or change ``story``'s item in the feed and the widget."""
    payload = {
        "story": {
            "id": story.pk,
            "url": story.url,
            "headline": story.title,
            "summary": story.summary,
            "position": story.feed_position,
            "published_at": story.first_published_at.isoformat() if story.first_published_at else None,
            "updated_at": story.updated_at.isoformat() if story.updated_at else None,
        }
    }
    renderers = hooks.get_hooks(FEED_ITEM_HOOK)
    if renderers:
        payload["html"] = renderers[0](story, compact=False)
        payload["html_compact"] = renderers[0](story, compact=True)
    return payload


def emit(event_type, story):
    """Record an event for ``story`` in the current transaction; it reaches readers once that commits."""
    event = LiveEvent.objects.create(type=event_type, payload=story_payload(story))
    _after(event)
    return event


def emit_banner(banner):
    """Record that the breaking-news banner changed (set, edited or taken down), in the current transaction."""
    event = LiveEvent.objects.create(type=LiveEvent.BANNER, payload={"banner": banner.for_readers()})
    _after(event)
    return event


def emit_removal(story):
    """Record that ``story`` left the site (unpublished or deleted), and forget what readers were told of it.

    Readers who resume later (Last-Event-ID, latest.json) must not get the story's headline, summary or URL back
    from an earlier event: those events are deleted, and the removal carries no more than the story's id and the
    ids of the events it took back (``removes``), so that a hub holding events in memory can drop them too.
    """
    earlier = LiveEvent.objects.filter(payload__story__id=story.pk)
    removes = sorted(earlier.values_list("id", flat=True))
    earlier.delete()
    event = LiveEvent.objects.create(
        type=LiveEvent.UNPUBLISHED, payload={"story": {"id": story.pk}, "removes": removes}
    )
    _after(event, removes)
    return event


def emit_to_topic(topic, event_type, payload, forget=None):
    """Record an event that only the readers of ``topic`` get (a live blog's entries, docs/liveblogs.md), in the
    current transaction. ``forget`` filters earlier events of the topic to delete first, as a removal does (a
    deleted entry's): their ids go out as ``removes``."""
    removes = []
    if forget:
        earlier = LiveEvent.objects.filter(payload__topic=topic, **forget)
        removes = sorted(earlier.values_list("id", flat=True))
        earlier.delete()
    payload = {"topic": topic, **payload, **({"removes": removes} if removes else {})}
    event = LiveEvent.objects.create(type=event_type, payload=payload)
    _after(event, removes)
    return event


def _after(event, removes=()):
    # The newest banner event stays whatever its age: /live/banner.json names it (views.breaking_news).
    newest_banner = LiveEvent.objects.filter(type=LiveEvent.BANNER).order_by("-id").values_list("id", flat=True)[:1]
    LiveEvent.objects.filter(id__lte=event.id - BACKLOG).exclude(id__in=newest_banner).delete()
    if settings.REDIS_URL:
        message = json.dumps(event.as_message())
        transaction.on_commit(lambda: _publish_to_redis(message, removes))


def _publish_to_redis(message, removes=()):
    """Fan the event out to every `bulletin serve` on every machine, after taking the events it ``removes`` out of
    the backlog list. A Redis outage must not fail the publish: this machine's readers still get the event from
    public/live/latest.json."""
    import redis

    channel, backlog = redis_names()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        with client.pipeline() as pipe:
            if removes:
                # LREM by value: another publisher's LPUSH meanwhile neither moves nor loses these entries.
                for raw in client.lrange(backlog, 0, -1):
                    if _event_id(raw) in removes:
                        pipe.lrem(backlog, 0, raw)
            pipe.lpush(backlog, message).ltrim(backlog, 0, BACKLOG - 1).publish(channel, message)
            pipe.execute()
        client.close()
    except redis.RedisError:
        logger.exception("could not send a live event to Redis at %s", settings.REDIS_URL)


def _event_id(raw):
    try:
        return json.loads(raw)["id"]
    except (ValueError, KeyError, TypeError):
        return None
