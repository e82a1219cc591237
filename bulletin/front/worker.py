"""What granian calls in each new worker process (its factory target, `bulletin.front.worker:create_app`).

A module of its own, importing nothing at the top, so that the worker is tied to its parent before it spends a
second loading Django.
"""

import os


def create_app():
    """Tie this worker's life to `bulletin serve`, load Django, and build this process's front application."""
    from .supervision import die_with_parent

    die_with_parent(os.environ.get("BULLETIN_SERVE_PID"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
    from django.conf import settings

    from bulletin.asgi import application as django
    from bulletin.live.hub import LiveHub

    from .app import Front
    from .files import FileCache

    cache = FileCache(
        settings.BULLETIN_PUBLIC_DIR, settings.MEDIA_ROOT, max_bytes=settings.BULLETIN_FRONT_CACHE_MB * 1024 * 1024
    )
    return Front(
        cache,
        LiveHub(),
        django,
        settings.BULLETIN_MAX_REQUEST_BYTES,
        redis_url=settings.REDIS_URL,
        heartbeat=settings.BULLETIN_LIVE_HEARTBEAT,
    )
