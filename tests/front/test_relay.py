"""A request relayed from a worker to a Django process over a real unix socket (relay.py, django_processes.py),
both ends in one event loop: the scope, the body and the answer cross intact, a client that leaves is told to the
application, and a Django process that is gone or dies mid-request gets 503 or 502, never a hang. On Linux the
socket is a name in the abstract namespace, which any local user could connect to: both ends refuse another user's
process (run as `nobody` here, which needs the tests to run as root, as CI does)."""

import asyncio
import marshal
import os
import secrets
import socket
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvloop

from bulletin.front.app import Front
from bulletin.front.django_processes import LENGTH, address, serve_relayed
from bulletin.front.files import FileCache
from bulletin.front.relay import DjangoRelay
from bulletin.live.hub import LiveHub
from tests.event_loop import run


class Echo:
    """An ASGI application that reads the whole body and answers it back in two chunks, with what it was asked."""

    def __init__(self):
        self.scopes, self.disconnected = [], asyncio.Event()

    async def __call__(self, scope, receive, send):
        self.scopes.append(scope)
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return self.disconnected.set()  # as Django: nothing is sent to a client that left
            body += message["body"]
            if not message.get("more_body"):
                break
        if scope["path"] == "/crash/":
            raise RuntimeError("the view failed outside Django's handler")
        if scope["path"] == "/wait-for-disconnect/":
            await receive()
            return self.disconnected.set()
        await send({"type": "http.response.start", "status": 201, "headers": [(b"x-path", scope["path"].encode())]})
        await send({"type": "http.response.body", "body": body[:3], "more_body": True})
        await send({"type": "http.response.body", "body": body[3:]})


def scope_for(path, method="POST"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"q=1",
        "root_path": "",
        "client": ("203.0.113.9", 5555),
        "server": ("127.0.0.1", 8000),
        # granian's headers are an object of its own, not a list: the relay copies them into one
        "headers": ((b"content-type", b"text/plain"), (b"cookie", b"sessionid=abc")),
        "extensions": {"not": object()},  # nothing but plain values crosses the socket
    }


async def relayed(tmp_path, application, path, chunks, client_leaves=False, listening=True, name=None):
    """Relay one request for ``path`` with body ``chunks`` to ``application``: the messages sent to the client."""
    socket_path = name or str(tmp_path / "django.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address(socket_path))
    listener.listen(8)
    server = asyncio.ensure_future(serve_relayed(listener, application)) if listening else None
    if not listening:
        listener.close()
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        if client_leaves:
            await asyncio.sleep(0.2)
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    try:
        await asyncio.wait_for(DjangoRelay(socket_path)(scope_for(path), receive, send), timeout=10)
        if client_leaves:
            await asyncio.wait_for(application.disconnected.wait(), timeout=10)
    finally:
        if server is not None:
            server.cancel()
            listener.close()
    return sent


def test_the_scope_the_body_and_a_streamed_answer_cross_the_socket(tmp_path):
    echo = Echo()
    sent = run(relayed(tmp_path, echo, "/admin/pages/", [b"ab", b"cdef", b"\x00\xff"]))
    assert sent[0] == {"type": "http.response.start", "status": 201, "headers": [(b"x-path", b"/admin/pages/")]}
    assert [m["body"] for m in sent[1:]] == [b"abc", b"def\x00\xff"]
    assert sent[1]["more_body"] and not sent[2].get("more_body")
    scope = echo.scopes[0]
    assert scope["client"] == ("203.0.113.9", 5555) and scope["query_string"] == b"q=1"  # axes and logs see the reader
    assert scope["headers"] == [(b"content-type", b"text/plain"), (b"cookie", b"sessionid=abc")]
    assert "extensions" not in scope


def test_a_client_that_leaves_is_told_to_the_application(tmp_path):
    echo = Echo()
    sent = run(relayed(tmp_path, echo, "/wait-for-disconnect/", [b""], client_leaves=True))
    assert sent == [] and echo.disconnected.is_set()


def test_an_application_that_fails_outside_django_gets_502(tmp_path):
    sent = run(relayed(tmp_path, Echo(), "/crash/", [b""]))
    assert sent[0]["status"] == 502


def test_no_django_process_listening_gets_503(tmp_path):
    sent = run(relayed(tmp_path, Echo(), "/admin/", [b""], listening=False))
    assert sent[0]["status"] == 503


def test_a_body_over_the_limit_is_refused_by_the_front_and_never_answered_by_django(tmp_path):
    """The front's 413 (the body stops at the limit) still holds when Django is across the socket: the relay
    passes the front's disconnect on, the application sends nothing, and the front answers."""
    (tmp_path / "public").mkdir()
    echo = Echo()

    async def through_front():
        socket_path = str(tmp_path / "django.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(socket_path)
        listener.listen(8)
        server = asyncio.ensure_future(serve_relayed(listener, echo))
        cache = FileCache(tmp_path / "public", tmp_path / "media", max_bytes=1024)
        front = Front(cache, LiveHub(), DjangoRelay(socket_path), max_body_bytes=10)
        chunks = [{"type": "http.request", "body": b"x" * 8, "more_body": True}] * 3
        sent = []

        async def receive():
            return chunks.pop(0) if chunks else {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        try:
            await asyncio.wait_for(front(scope_for("/admin/upload/"), receive, send), timeout=10)
            await asyncio.wait_for(echo.disconnected.wait(), timeout=10)
        finally:
            server.cancel()
            listener.close()
        return sent

    sent = run(through_front())
    assert sent[0]["status"] == 413


NOBODY = 65534
other_user = pytest.mark.skipif(
    sys.platform != "linux" or os.getuid() != 0, reason="runs a process as another user: Linux, as root (CI is)"
)


def abstract_name():
    return f"@bulletin-test-{secrets.token_hex(8)}"


@pytest.mark.skipif(sys.platform != "linux", reason="the abstract namespace is Linux's")
def test_the_socket_is_a_name_in_the_abstract_namespace_not_a_file(tmp_path):
    echo = Echo()
    sent = run(relayed(tmp_path, echo, "/search/", [b"q"], name=abstract_name()))
    assert sent[0]["status"] == 201 and list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform != "linux", reason="the abstract namespace is Linux's")
def test_the_relay_reaches_an_abstract_name_from_uvloop(tmp_path):
    """granian runs the workers on uvloop, whose open_unix_connection refuses an abstract name."""
    echo = Echo()
    with ThreadPoolExecutor(max_workers=1) as thread:  # a loop of its own, as tests/event_loop.py explains
        sent = thread.submit(uvloop.run, relayed(tmp_path, echo, "/search/", [b"q"], name=abstract_name())).result()
    assert sent[0]["status"] == 201 and echo.scopes[0]["path"] == "/search/"


def as_nobody(task):
    """Run ``task`` in a forked child as user nobody; its pid. The child exits 0 when ``task`` returns True.
    (Forked rather than started: nobody may not read this Python's installation.)"""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            code = 0 if task() else 1
        finally:
            os._exit(code)
    return pid


def exit_status(pid):
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@other_user
def test_a_django_process_refuses_another_users_connection(tmp_path):
    """A frame from another user is never read (marshal trusts its input): the connection is closed unanswered."""
    name, echo = abstract_name(), Echo()

    def intrude():
        intruder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        intruder.connect(address(name))
        intruder.settimeout(10)
        frame = marshal.dumps({"type": "http", "path": "/admin/"})
        try:
            intruder.sendall(LENGTH.pack(len(frame)) + frame)
            return intruder.recv(100) == b""  # closed, nothing sent back
        except (BrokenPipeError, ConnectionResetError):  # closed before, or with the frame unread
            return True

    async def served_while_intruding():
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(address(name))
        listener.listen(8)
        server = asyncio.ensure_future(serve_relayed(listener, echo))
        try:
            pid = as_nobody(intrude)
            return await asyncio.get_running_loop().run_in_executor(None, exit_status, pid)
        finally:
            server.cancel()
            listener.close()

    assert run(served_while_intruding()) == 0
    assert echo.scopes == []


@other_user
def test_the_relay_refuses_a_socket_held_by_another_user(tmp_path):
    """A request (with its cookies) is never written to a socket that another user's process listens on."""
    name = abstract_name()
    ready_read, ready_write = os.pipe()

    def squat():
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(address(name))
        listener.listen(8)
        os.write(ready_write, b"x")
        listener.settimeout(10)
        connection, _ = listener.accept()
        connection.settimeout(10)
        return connection.recv(1000) == b""  # the relay closed without writing a byte

    squatter = as_nobody(squat)
    os.close(ready_write)
    try:
        assert os.read(ready_read, 1) == b"x"
        sent = run(relayed_to_squatter(name))
        assert sent[0]["status"] == 503
    finally:
        os.close(ready_read)
        assert exit_status(squatter) == 0


async def relayed_to_squatter(name):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await asyncio.wait_for(DjangoRelay(name)(scope_for("/admin/"), receive, send), timeout=10)
    return sent
