"""The ASGI application `bulletin serve` runs (ASGI so that server-sent events can be added)."""

import os

from django.core.asgi import get_asgi_application

from bulletin.gc_freeze import freeze_loaded_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
application = get_asgi_application()
freeze_loaded_objects()
