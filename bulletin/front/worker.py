"""What granian calls in each new worker process (its factory target, `bulletin.front.worker:create_app`).

A module of its own, importing nothing at the top, so that the worker is tied to its parent before it spends a
second loading Django.
"""

import gc
import os


def create_app():
    """Tie this worker's life to `bulletin serve`, load Django's settings and models (the front reads both; it
    runs no view), and build this process's front application, which relays what is not a file to the Django
    processes."""
    from .supervision import die_with_parent

    die_with_parent(os.environ.get("BULLETIN_SERVE_PID"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
    import django
    from django.conf import settings

    django.setup(set_prefix=False)
    from bulletin.live.hub import LiveHub

    from .app import Front
    from .files import FileCache
    from .relay import DjangoRelay
    from .search_gate import SearchGate

    # As bulletin/gc_freeze.py does for Django's processes: what is loaded now lives as long as the worker, so
    # keep it out of every later collection (without importing the views, which a worker never runs).
    gc.collect()
    gc.freeze()
    cache = FileCache(
        settings.BULLETIN_PUBLIC_DIR, settings.MEDIA_ROOT, max_bytes=settings.BULLETIN_FRONT_CACHE_MB * 1024 * 1024
    )
    return Front(
        cache,
        LiveHub(),
        DjangoRelay(os.environ["BULLETIN_DJANGO_SOCKET"]),
        settings.BULLETIN_MAX_REQUEST_BYTES,
        redis_url=settings.REDIS_URL,
        heartbeat=settings.BULLETIN_LIVE_HEARTBEAT,
        search_gate=SearchGate.for_worker(settings.BULLETIN_SEARCH_BUSY_SHARE, settings.BULLETIN_SEARCH_MAX_WAIT),
    )
