"""A real `bulletin serve` on a built demo site, shared by the serve and nginx tests."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A built 30-story demo site served by `bulletin serve` (2 front workers)."""
    data_dir = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(BULLETIN_DATA_DIR=str(data_dir), BULLETIN_PUBLISHER="inline", PYTHONUNBUFFERED="1")
    for args in (["demo", "--stories", "30", "--quiet"], ["build", "--quiet"]):
        done = subprocess.run([sys.executable, "-m", "bulletin", *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    port = free_port()
    log = open(data_dir / "serve.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "bulletin", "serve", "--port", str(port), "--no-scheduler"],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if request(port, "/")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"bulletin serve did not start:\n{log.read()}")
        time.sleep(0.2)

    def manage(code):
        done = subprocess.run([sys.executable, "-m", "bulletin", "manage", "shell", "--no-imports", "-c", code],
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    yield port, data_dir / "public", manage, process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)
    log.close()


def request(port, path, method="GET", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.headers, body  # headers: case-insensitive (granian sends lowercase)


