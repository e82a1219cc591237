"""`bulletin serve`: front processes answer files from public/ and relay the rest to granian running Django.

    clients ──► front workers (uvloop + httptools, SO_REUSEPORT on HOST:PORT) ──► files in public/, media/
                        │ misses, the admin, preview, anything but GET/HEAD of a file
                        ▼
                 granian (ASGI, Django) on a unix socket

Files keep being served when the app is slow or down: if granian exits it is started again (the fronts answer
502 for dynamic requests meanwhile). If a front worker exits, `serve` stops and exits non-zero, so that a
process supervisor (systemd, a container runtime) restarts the whole server.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connections


def _start_app(socket_path, workers):
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--uds", str(socket_path),
               "--workers", str(workers), "--log-level", "warning", "--no-ws", "bulletin.asgi:application"]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 90
    # The socket appears before granian's workers have loaded Django; until then connections are dropped.
    while not _answers(socket_path):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"granian did not start (exit code {process.poll()})")
        time.sleep(0.1)
    return process


def _answers(socket_path):
    """True once the app answers an HTTP request on its unix socket."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(10)
            probe.connect(str(socket_path))
            probe.sendall(b"HEAD /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return probe.recv(16).startswith(b"HTTP/1.1 ")
    except OSError:
        return False


def _listening_socket(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Each front worker has its own socket on the same port; the kernel spreads connections between them.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _front_worker(host, port, socket_path):
    """Run one front process until it is signalled (never returns)."""
    import uvloop

    from bulletin.live import stream

    from .front import GENERATION_POLL, FileCache, FrontProtocol

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    uvloop.install()
    loop = asyncio.new_event_loop()
    cache = FileCache(settings.BULLETIN_PUBLIC_DIR, settings.MEDIA_ROOT,
                      max_bytes=settings.BULLETIN_FRONT_CACHE_MB * 1024 * 1024)

    live = stream.LiveHub()
    check_generation = stream.start(loop, live, settings.BULLETIN_PUBLIC_DIR, cache.check_generation)

    def poll_generation():
        check_generation()
        loop.call_later(GENERATION_POLL, poll_generation)

    poll_generation()
    sock = _listening_socket(host, port)
    loop.run_until_complete(loop.create_server(lambda: FrontProtocol(cache, str(socket_path), live), sock=sock))
    loop.run_forever()


def run(host, port, workers, app_workers, on_ready=None):
    """Serve until SIGINT or SIGTERM. ``on_ready`` runs in this process once everything listens."""
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    settings.BULLETIN_PUBLIC_DIR.mkdir(parents=True, exist_ok=True)
    _listening_socket(host, port).close()  # fail now, with a clear error, if the port is taken
    runtime_dir = Path(tempfile.mkdtemp(prefix="bulletin-"))
    socket_path = runtime_dir / "app.sock"
    app = _start_app(socket_path, app_workers)
    connections.close_all()  # the front workers are forked and never use the database
    fronts = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            try:
                _front_worker(host, port, socket_path)
            finally:
                os._exit(1)
        fronts.append(pid)

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if on_ready:
        on_ready()
    try:
        while not stopping:
            if app.poll() is not None:
                print(f"bulletin serve: the app server exited ({app.returncode}); starting it again",
                      file=sys.stderr)
                socket_path.unlink(missing_ok=True)
                app = _start_app(socket_path, app_workers)
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid in fronts:
                print(f"bulletin serve: front worker {pid} exited", file=sys.stderr)
                fronts.remove(pid)
                return 1
            time.sleep(0.2)
        return 0
    finally:
        for pid in fronts:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
        for pid in fronts:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        socket_path.unlink(missing_ok=True)
        runtime_dir.rmdir()
