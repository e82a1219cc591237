"""Run the reader site and the admin under granian, answering static files and media without Django."""

from django.conf import settings
from django.core.management import call_command


def prepare_static_files():
    """Collect static files so granian can serve them (quick when nothing changed)."""
    call_command("collectstatic", interactive=False, verbosity=0)


def run(host, port, workers):
    """Serve until interrupted."""
    from granian.constants import Interfaces
    from granian.server import Server

    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    Server(
        "bulletin.asgi:application",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        static_path_route=[settings.STATIC_URL.rstrip("/"), settings.MEDIA_URL.rstrip("/")],
        static_path_mount=[settings.STATIC_ROOT, settings.MEDIA_ROOT],
        # Fingerprinted by ManifestStaticFilesStorage and Wagtail's rendition names: safe to cache for a year.
        static_path_expires=365 * 24 * 3600,
        log_access=False,
    ).serve()
