"""Real `bulletin serve` processes on free ports, for the tests that meet the server over the network."""

import contextlib
import fcntl
import grp
import hashlib
import http.client
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(data_dir, **extra):
    """The environment of a server with its own data folder (and its own SQLite database unless told)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(BULLETIN_DATA_DIR=str(data_dir), BULLETIN_PUBLISHER="inline", PYTHONUNBUFFERED="1", **extra)
    return env


def bulletin(env, *args):
    """Run `bulletin ARGS` in ``env``; fail the test with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "bulletin", *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def manage_code(env, code):
    """Run Python ``code`` in a Django shell of the server's database; returns what it printed."""
    return bulletin(env, "manage", "shell", "--no-imports", "-c", code).strip()


def shared_temp(tmp_path_factory):
    """A folder of this test run that all its pytest-xdist workers share (the run's own folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def demo_copy(tmp_path_factory, data_dir, *demo_args, build=True):
    """Fill ``data_dir`` with the newsroom `bulletin demo DEMO_ARGS` makes in a new data folder (SQLite database,
    media, secret key) and, if ``build``, the public/ that `bulletin build` then writes. Returns what `bulletin demo`
    printed (the demo editor's login).

    Each newsroom is made once per test run, whichever pytest-xdist worker asks first, and copied: migrating a new
    SQLite database alone takes 10–20 s, and a dozen server fixtures each made the same newsroom."""
    key = hashlib.sha256(repr((demo_args, build)).encode()).hexdigest()[:16]
    root = shared_temp(tmp_path_factory) / "demo-newsrooms"
    root.mkdir(exist_ok=True)
    made = root / key
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait for the first one to make it
        if not made.exists():
            making = root / f"{key}.making"
            shutil.rmtree(making, ignore_errors=True)
            making.mkdir()
            env = server_env(making)
            (making / "demo.out").write_text(bulletin(env, "demo", *demo_args))
            if build:
                bulletin(env, "build", "--quiet")
            # Fold the write-ahead log into the database file, so that the file alone is the whole database.
            database = sqlite3.connect(making / "bulletin.sqlite3")
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            database.close()
            making.rename(made)

    shutil.copytree(made, data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("demo.out", "*-wal", "*-shm"))
    return (made / "demo.out").read_text()


class Server:
    """`bulletin serve --no-scheduler` in its own process group, started and answering."""

    def __init__(self, env, log_path, workers=2, port=None):
        self.env, self.port = env, port or free_port()
        self.log = open(log_path, "w+")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bulletin",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--no-scheduler",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90  # each worker loads Django (spawned, not forked)
        while True:
            try:
                if request(self.port, "/")[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                self.log.seek(0)
                pytest.fail(f"bulletin serve did not start:\n{self.log.read()}")
            time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        self.log.close()


def request(port, path, method="GET", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.headers, body  # headers: case-insensitive (granian sends lowercase)


#: Feeds, sitemaps and robots.txt with the Content-Type their consumers expect (the live views send the same).
SYNDICATION_FILES = [
    ("/feeds/rss.xml", "application/rss+xml; charset=utf-8"),
    ("/feeds/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/feeds/feed.json", "application/feed+json; charset=utf-8"),
    ("/sections/war/rss.xml", "application/rss+xml; charset=utf-8"),
    ("/sections/war/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/sections/war/feed.json", "application/feed+json; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/sitemaps/news.xml", "application/xml; charset=utf-8"),
    ("/sitemaps/tags.xml", "application/xml; charset=utf-8"),
    ("/robots.txt", "text/plain; charset=utf-8"),
]


def check_syndication_file(port, public, path, content_type):
    """``path`` is served from public/ with its type, a cache policy that fits, and answers conditional GETs."""
    status, headers, body = request(port, path)
    assert status == 200 and body == (public / path[1:]).read_bytes()
    assert headers["Content-Type"] == content_type
    changes_with_every_publish = path != "/robots.txt"
    assert ("s-maxage=5" in headers["Cache-Control"]) == changes_with_every_publish
    assert request(port, path, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert request(port, path, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    return headers


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def running_nginx(root, port, server_block, worker_connections=512, http_extra=""):
    """Run nginx with ``server_block`` (the output of `bulletin nginx-config`) inside an http block, its files in
    ``root``, until the block exits; ``http_extra`` adds http-level directives (timeouts)."""
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: apt-get install -y nginx (see .ci/run)")
    temp = " ".join(f"{name}_temp_path {root}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # nginx started by root runs its workers as nobody, who cannot read pytest's private temporary folders: every
    # request would then be relayed to the app. Run them as the user the tests run as (nginx ignores the
    # directive, with a warning, when it is not started by root).
    user = f"{pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name}"
    (root / "nginx.conf").write_text(
        f"user {user}; worker_processes 1; pid {root}/nginx.pid; error_log {root}/error.log warn; daemon off;\n"
        f"events {{ worker_connections {worker_connections}; }}\n"
        f"http {{ include /etc/nginx/mime.types; default_type application/octet-stream; access_log off; {temp}\n"
        f"{http_extra}\n{server_block}\n}}\n"
    )
    process = subprocess.Popen([NGINX, "-p", str(root), "-c", str(root / "nginx.conf")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            request(port, "/")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
