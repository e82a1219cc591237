"""The hostile-traffic suite (issue 12): real `bulletin serve` processes on loopback, held to nginx's behaviour.

Every test sends what ordinary clients never send, through raw sockets (tests/hostile/raw.py), to a server with
its own SQLite database and public/ in a temporary folder, built with the demo newsroom. Each test's docstring
names the nginx directive (and its default) that decides nginx's answer to the same traffic: Bulletin must answer
as nginx does, or be stricter. Where it is cheap, the same bytes also go to a real nginx running the generated
configuration (`bulletin nginx-config`) over the same public/, to show the reference answer side by side.

Nothing here asserts speed (the machine is shared and noisy): the tests assert behaviour, with generous timeouts.
"""

import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from tests.servers import Server, bulletin, demo_copy, free_port, manage_code, running_nginx, server_env

#: The front's settings that these tests shorten, in one place (docs/settings.md): if the front renames them,
#: change the names here. BULLETIN_HEADER_TIMEOUT is the seconds a client has to send a request's head, on a new
#: connection or on a kept-alive one after an answer, so it bounds both slowloris and idle keep-alive clients
#: (nginx: client_header_timeout, default 60s, and keepalive_timeout, default 75s).
HEADER_READ_TIMEOUT = 3
KEEPALIVE_TIMEOUT = HEADER_READ_TIMEOUT
FRONT_SETTINGS = {"BULLETIN_HEADER_TIMEOUT": str(HEADER_READ_TIMEOUT)}
#: How long past a configured timeout a connection may still be open before a test calls it never closed: a
#: timer's granularity plus a busy 2-core machine shared with other test runs.
TIMEOUT_MARGIN = 10
#: The largest growth of the server's memory (all its processes) a flood may cause.
MEMORY_GROWTH_LIMIT = 200 * 1024 * 1024


@pytest.fixture(scope="session")
def newsroom(tmp_path_factory):
    """A data folder with the 30-story demo newsroom built into its public/, and the demo editor's login."""
    data_dir = tmp_path_factory.mktemp("hostile")
    env = server_env(data_dir, BULLETIN_LIVE_HEARTBEAT="1", BULLETIN_INSECURE_COOKIES="1", **FRONT_SETTINGS)
    login = demo_copy(tmp_path_factory, data_dir, "--stories", "30", "--quiet")
    username, password = re.search(r"user: (\S+)\s+password: (\S+)", login).groups()
    return SimpleNamespace(
        env=env,
        data_dir=data_dir,
        public=data_dir / "public",
        media=data_dir / "media",
        username=username,
        password=password,
        manage=lambda code: manage_code(env, code),
    )


@pytest.fixture(scope="session")
def front(newsroom):
    """`bulletin serve` (2 workers) on the demo newsroom with short header and keep-alive timeouts.

    Shared by the whole suite: a test that breaks it (the supervision tests) starts a server of its own.
    """
    running = Server(newsroom.env, newsroom.data_dir / "serve.log")
    yield SimpleNamespace(
        port=running.port,
        process=running.process,
        log=newsroom.data_dir / "serve.log",
        public=newsroom.public,
        newsroom=newsroom,
    )
    running.stop()


@pytest.fixture
def start_server(newsroom, tmp_path):
    """Start more `bulletin serve` processes on the demo newsroom; each is stopped (its whole group) after the test."""
    started = []

    def start(workers=2):
        server = Server(newsroom.env, tmp_path / f"serve-{len(started)}.log", workers=workers)
        started.append(server)
        return server

    yield start
    for server in started:
        try:
            os.killpg(server.process.pid, 9)
        except ProcessLookupError:
            pass
        server.process.wait(timeout=20)
        server.log.close()


@pytest.fixture(scope="session")
def nginx(front, tmp_path_factory):
    """nginx with the generated server block over the same public/, in front of the `front` server: the reference.

    Its own limits are nginx's defaults but for the two timeouts, set like the front's so both can be watched
    closing a connection in the same few seconds.
    """
    root = tmp_path_factory.mktemp("nginx")
    port = free_port()
    block = bulletin(
        front.newsroom.env, "nginx-config", "--listen", f"127.0.0.1:{port}", "--upstream", f"127.0.0.1:{front.port}"
    )
    timeouts = f"client_header_timeout {HEADER_READ_TIMEOUT}s; keepalive_timeout {KEEPALIVE_TIMEOUT}s;"
    with running_nginx(root, port, block, worker_connections=4096, http_extra=timeouts):
        yield SimpleNamespace(port=port, public=front.public)


@pytest.fixture
def servers(front, nginx):
    """Both servers by name, for tests that send the same bytes to each: {"bulletin": port, "nginx": port}."""
    return {"bulletin": front.port, "nginx": nginx.port}


def python_in(env, code):
    """Start ``code`` in a Python process with ``env``; returns the Popen."""
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
