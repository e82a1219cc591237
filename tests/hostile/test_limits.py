"""Floods, huge and endless headers, slow and idle clients: memory stays bounded, everyone else is still served."""

import socket
import threading
import time

import pytest

from tests.hostile.conftest import (
    HEADER_READ_TIMEOUT,
    KEEPALIVE_TIMEOUT,
    MEMORY_GROWTH_LIMIT,
    TIMEOUT_MARGIN,
)
from tests.hostile.raw import children, connect, exchange, get, receive, rss_bytes, send
from tests.servers import request

BOTH = ["bulletin", "nginx"]


def server_memory(front):
    """The resident memory of `bulletin serve` and every process below it."""
    return rss_bytes([front.process.pid, *children(front.process.pid)])


def largest_static_file(public):
    """The URL of the largest file under /static/ (a few hundred KB of the admin's JavaScript)."""
    path = max((p for p in (public / "static").rglob("*.js")), key=lambda p: p.stat().st_size)
    return "/" + path.relative_to(public).as_posix()


class NormalReader:
    """An ordinary reader asking for the News Feed while an attack runs; remembers what it got."""

    def __init__(self, front):
        self.front, self.status, self.error, self.body = front, None, None, None

    def read(self):
        try:
            self.status, _, self.body = request(self.front.port, "/")
        except OSError as error:
            self.error = error
        return self

    def got_the_page(self):
        return self.status == 200 and self.body == (self.front.public / "index.html").read_bytes()


def watch_memory(front, seconds, during=None, done=None):
    """Sample the server's memory for ``seconds`` (stopping early past the limit, to spare the shared machine, or
    once ``done()`` is true), running ``during()`` once after a second. Returns the largest growth seen."""
    before, peak = server_memory(front), 0
    deadline, called = time.monotonic() + seconds, False
    started = time.monotonic()
    while time.monotonic() < deadline:
        peak = max(peak, server_memory(front) - before)
        if peak > MEMORY_GROWTH_LIMIT:
            break
        if during and not called and time.monotonic() - started > 1:
            during()
            called = True
        if called and done is not None and done():
            break
        time.sleep(0.2)
    if during and not called:
        during()
    return peak


def test_pipelined_requests_never_read_leave_memory_bounded(front):
    """nginx answers one pipelined request at a time and writes an answer only as fast as the client reads it
    (the socket's send buffer, output_buffers 2 32k); a client that never reads is closed after send_timeout
    (default 60s). 8 connections × 300 GETs of a large file, never read: the server's memory stays flat and an
    ordinary reader still gets the News Feed."""
    url = largest_static_file(front.public)
    flood = get(url, Accept_Encoding="identity") * 300
    sockets = []
    for _ in range(8):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # never read, and keep little in the kernel
        sock.settimeout(10)
        sock.connect(("127.0.0.1", front.port))
        sock.setblocking(False)
        sockets.append([sock, flood])
    reader = NormalReader(front)

    def keep_sending():
        for entry in sockets:
            if entry[1]:
                try:
                    entry[1] = entry[1][entry[0].send(entry[1]) :]
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    entry[1] = b""

    stop = threading.Event()

    def sender():
        while not stop.is_set():
            keep_sending()
            time.sleep(0.05)

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    try:
        growth = watch_memory(front, seconds=8, during=reader.read)
    finally:
        stop.set()
        thread.join()
        for sock, _ in sockets:
            sock.close()
    assert reader.got_the_page(), f"the ordinary reader got {reader.status or reader.error} during the flood"
    assert growth < MEMORY_GROWTH_LIMIT, f"the server grew by {growth // 2**20} MB"


@pytest.mark.parametrize("target", BOTH)
@pytest.mark.parametrize("kind", ["1 MB header", "100,000 headers", "1 MB request line"])
def test_huge_headers_are_refused(servers, target, kind):
    """nginx reads a request's head into large_client_header_buffers (default 4 8k): a longer request line gets
    414, a longer header line or more headers than fit get 400 ("Request Header Or Cookie Too Large", 494 in its
    log). Bulletin refuses them too (any 4xx, or the connection closed), never 200."""
    if kind == "1 MB header":
        data = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 2**20 + b"\r\nConnection: close\r\n\r\n"
    elif kind == "100,000 headers":
        data = (
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + b"".join(b"X-H%d: v\r\n" % i for i in range(100_000))
            + b"Connection: close\r\n\r\n"
        )
    else:
        data = b"GET /" + b"a" * 2**20 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    responses, closed, raw = exchange(servers[target], data, timeout=20)
    assert (responses and 400 <= responses[0].status < 500) or (not responses and closed), raw[:200]


def test_an_endless_header_streamed_slowly_is_cut_off(front):
    """nginx stops an endless header line when it outgrows large_client_header_buffers (4 8k: 400), and any
    header still coming after client_header_timeout (default 60s). Four clients streaming one header line
    without end (16 KB every 50 ms): each is cut off within the header timeout, memory stays flat, and an
    ordinary reader is served meanwhile."""
    sockets = []
    for _ in range(4):
        sock = connect(front.port)
        send(sock, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Endless: ")
        sockets.append(sock)
    cut_off = {}
    started = time.monotonic()
    stop = threading.Event()

    def stream():
        while not stop.is_set() and len(cut_off) < len(sockets):
            for sock in sockets:
                if sock in cut_off:
                    continue
                sock.settimeout(0.001)
                try:
                    if sock.recv(65536, socket.MSG_PEEK) is not None:  # an answer (400) or the end
                        cut_off[sock] = time.monotonic() - started
                        continue
                except (TimeoutError, BlockingIOError):
                    pass
                except OSError:
                    cut_off[sock] = time.monotonic() - started
                    continue
                sock.settimeout(1)
                try:
                    sock.sendall(b"a" * 16384)
                except OSError:
                    cut_off[sock] = time.monotonic() - started
            time.sleep(0.05)

    thread = threading.Thread(target=stream, daemon=True)
    thread.start()
    reader = NormalReader(front)
    try:
        growth = watch_memory(
            front,
            seconds=HEADER_READ_TIMEOUT + TIMEOUT_MARGIN,
            during=reader.read,
            done=lambda: len(cut_off) == len(sockets),
        )
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()
    assert reader.got_the_page(), f"the ordinary reader got {reader.status or reader.error} during the attack"
    assert growth < MEMORY_GROWTH_LIMIT, f"the server grew by {growth // 2**20} MB"
    assert len(cut_off) == len(sockets), (
        f"{len(sockets) - len(cut_off)} endless headers were still read after {HEADER_READ_TIMEOUT + TIMEOUT_MARGIN} s"
    )


def seconds_until_closed(sock, limit):
    """How long the server took to close ``sock`` (whatever it sent first), or None if still open after ``limit``."""
    started = time.monotonic()
    deadline = started + limit
    while time.monotonic() < deadline:
        _, closed = receive(sock, timeout=deadline - time.monotonic())
        if closed:
            return time.monotonic() - started
    return None


@pytest.mark.parametrize("target", BOTH)
def test_slowloris_is_closed_after_the_header_timeout(servers, target):
    """nginx gives a client client_header_timeout (default 60s; 3 s in these tests) for the whole request head,
    however slowly it trickles in, then closes the connection (408 in its log, nothing sent). A header byte every
    second must not keep a Bulletin connection open either."""
    limit = HEADER_READ_TIMEOUT + TIMEOUT_MARGIN
    with connect(servers[target]) as sock:
        send(sock, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started, closed = time.monotonic(), False
        while time.monotonic() - started < limit:
            if not send(sock, b"a"):
                closed = True
                break
            _, closed = receive(sock, timeout=1)
            if closed:
                break
    assert closed, f"a slowloris connection to {target} was still open after {limit} s"


@pytest.mark.parametrize("target", BOTH)
def test_an_idle_keep_alive_connection_is_closed(servers, target):
    """nginx closes a keep-alive connection that sends nothing after its last answer after keepalive_timeout
    (default 75s; 3 s in these tests)."""
    with connect(servers[target]) as sock:
        send(sock, get("/robots.txt"))
        receive(sock, timeout=5, until=lambda data: data.endswith(b"\n") and b"\r\n\r\n" in data)
        took = seconds_until_closed(sock, KEEPALIVE_TIMEOUT + TIMEOUT_MARGIN)
    assert took is not None, f"an idle keep-alive connection to {target} was still open after the timeout"


@pytest.mark.parametrize("target", BOTH)
def test_a_connection_that_never_sends_is_closed(servers, target):
    """nginx waits client_header_timeout (default 60s; 3 s here) for the first byte of a new connection's request,
    then closes it."""
    with connect(servers[target]) as sock:
        took = seconds_until_closed(sock, HEADER_READ_TIMEOUT + TIMEOUT_MARGIN)
    assert took is not None, f"a silent connection to {target} was still open after the timeout"


def test_two_thousand_idle_connections_do_not_lock_out_a_reader(front):
    """nginx keeps connections that have not sent a request yet as "reusable": when worker_connections (default
    512) run out it closes the oldest of them to accept new clients, and client_header_timeout closes the rest.
    2,000 connections that send nothing must not keep an ordinary reader from the News Feed."""
    idle = []
    try:
        for _ in range(2000):
            try:
                idle.append(socket.create_connection(("127.0.0.1", front.port), timeout=5))
            except OSError:
                break
        reader = NormalReader(front)
        deadline = time.monotonic() + 20
        while not reader.read().got_the_page() and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for sock in idle:
            sock.close()
    assert reader.got_the_page(), (
        f"with {len(idle)} idle connections open the reader got {reader.status or reader.error}"
    )
