"""`bulletin serve`: one granian server whose workers run the front (bulletin/front/app.py), and the Django
processes the workers relay the rest to (django_processes.py).

    clients ──► granian main process (this one: binds, supervises, runs the scheduler thread)
                  ├─ worker × N (spawned): hyper parses; the front answers files and /live/ from memory,
                  │                        and relays the rest over a unix socket to
                  └─ Django process × M (niced): Django's ASGI application

granian's Python API runs in this process rather than as a subprocess, so the tree has two levels, not three: the
main process that the supervisor (systemd, a container runtime, a terminal) sees is the one that respawns the
workers. Workers are started with multiprocessing's "spawn", not "fork": this process runs the scheduler's thread
and has used the database, and a fork while another thread holds a lock copies the lock held.
"""

import multiprocessing
import os

from django.conf import settings
from django.db import connections
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server

from .django_processes import DjangoProcesses
from .supervision import ensure_port_free, raise_open_files_limit

TARGET = "bulletin.front.worker:create_app"


def build_server(host, port, workers):
    """The granian Server for `bulletin serve`, configured from the BULLETIN_* settings (docs/serving.md)."""
    return Server(
        TARGET,
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        # HTTP/1.1 only, as nginx without `http2`: browsers speak HTTP/2 only over TLS, which a proxy in front
        # terminates. In "auto" mode granian first waits for bytes to tell the two apart, with no timeout, so a
        # connection that never sent a byte was held forever; with HTTP/1 alone the header timeout closes it.
        http=HTTPModes.http1,
        workers=workers,
        websockets=False,
        backlog=settings.BULLETIN_BACKLOG,
        backpressure=settings.BULLETIN_BACKPRESSURE,
        http1_settings=HTTP1Settings(
            header_read_timeout=int(settings.BULLETIN_HEADER_TIMEOUT * 1000),
            keep_alive=settings.BULLETIN_KEEP_ALIVE,
            max_buffer_size=settings.BULLETIN_MAX_HEADER_BYTES,
        ),
        respawn_failed_workers=settings.BULLETIN_RESPAWN_FAILED_WORKERS,
        workers_max_rss=settings.BULLETIN_WORKERS_MAX_RSS_MB or None,
        log_level=LogLevels.info,
    )


def run(host, port, workers, on_ready=None):
    """Serve until SIGINT or SIGTERM. ``on_ready`` runs in this process just before the workers are started.

    Raises supervision.PortTaken when another process holds HOST:PORT. granian exits non-zero when a worker
    crashes twice within a few seconds (a crash loop): the supervisor restarts `serve` then.
    """
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    settings.BULLETIN_PUBLIC_DIR.mkdir(parents=True, exist_ok=True)
    ensure_port_free(host, port)
    raise_open_files_limit()  # the workers inherit it
    os.environ["BULLETIN_SERVE_PID"] = str(os.getpid())  # each worker checks it still has this parent
    connections.close_all()
    multiprocessing.set_start_method("spawn", force=True)
    django = DjangoProcesses(
        settings.BULLETIN_DJANGO_PROCESSES, settings.BULLETIN_DJANGO_NICE, settings.BULLETIN_BACKLOG
    )
    os.environ["BULLETIN_DJANGO_SOCKET"] = django.name  # the workers relay there
    server = build_server(host, port, workers)
    if on_ready:
        server.on_startup(on_ready)
    django.start()
    try:
        server.serve()
    finally:
        django.stop()  # after the workers, whose requests in flight it answers
