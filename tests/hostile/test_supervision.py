"""Supervision: a killed main process leaves no workers behind, a port held by orphans is refused, a killed worker
is replaced. Each test starts servers of its own (the `start_server` fixture kills their process groups after).
"""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.hostile.raw import alive, children, exchange, get, listening_pids
from tests.servers import free_port


def test_killing_the_main_process_takes_its_workers_with_it(start_server):
    """nginx's workers notice their master is gone (the channel socket closes) and exit; `bulletin serve`'s
    workers must not outlive a `kill -9` of the main process either (PR_SET_PDEATHSIG), or they would keep the port
    and serve stale code."""
    server = start_server()
    workers = children(server.process.pid)
    assert workers, "bulletin serve started no worker processes"
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = [pid for pid in workers if alive(pid)]
    assert not survivors, f"{len(survivors)} of {len(workers)} processes outlived the killed main process"


ORPHAN = """
import socket, sys, time
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
sock.bind(("127.0.0.1", int(sys.argv[1])))
sock.listen(16)
print("listening", flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("holder", ["an orphaned worker", "another program"])
def test_a_second_server_refuses_a_port_that_orphans_hold(newsroom, tmp_path, holder):
    """nginx refuses to start on a port another process listens on ("bind() to 127.0.0.1:PORT failed (98: Address
    already in use)"). A worker orphaned by a killed `bulletin serve` holds its port with SO_REUSEPORT, which would
    let a new server bind beside it and share its connections with stale code: the new server must refuse to
    start, and say why. The orphan is played by a small process holding such a socket; as "an orphaned worker"
    it carries the environment `bulletin serve` gives its workers (BULLETIN_SERVE_PID, of a process now gone)."""
    port = free_port()
    env = dict(newsroom.env)
    if holder == "an orphaned worker":
        gone = subprocess.Popen(["true"])
        gone.wait()
        env["BULLETIN_SERVE_PID"] = str(gone.pid)
    orphan = subprocess.Popen([sys.executable, "-c", ORPHAN, str(port)], stdout=subprocess.PIPE, text=True, env=env)
    second = None
    try:
        assert orphan.stdout.readline().strip() == "listening"
        log = open(tmp_path / "second.log", "w+")
        second = subprocess.Popen(
            [sys.executable, "-m", "bulletin", "serve", "--port", str(port), "--no-scheduler"],
            env=newsroom.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while second.poll() is None and time.monotonic() < deadline:
            log.seek(0)
            if "Bulletin is serving" in log.read():
                break
            time.sleep(0.2)
        log.seek(0)
        output = log.read()
        assert second.poll() not in (None, 0), f"bulletin serve started on a port an orphan holds:\n{output[-2000:]}"
        assert str(port) in output and any(word in output.lower() for word in ("in use", "already", "held")), output[
            -2000:
        ]
    finally:
        orphan.kill()
        orphan.wait()
        if second is not None and second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
            second.wait()


def test_a_killed_worker_is_replaced(start_server):
    """nginx's master starts a new worker when one dies ("worker process PID exited on signal 9" then a new one);
    after a `kill -9` of one `bulletin serve` worker the server keeps answering, and is back to full strength
    within seconds."""
    server = start_server()
    main = server.process.pid
    workers = [pid for pid in listening_pids(server.port, children(main)) if pid != main]
    assert workers, "no worker process listens on the server's port"
    os.kill(workers[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.process.poll() is None:
        now = [pid for pid in listening_pids(server.port, children(main)) if pid != main]
        if len(now) >= len(workers) and workers[0] not in now:
            break
        time.sleep(0.5)
    assert alive(main) and server.process.poll() is None, "bulletin serve exited when one worker was killed"
    for _ in range(20):  # new connections, spread over the workers by the kernel
        responses, _, raw = exchange(server.port, get("/", close=True), timeout=20)
        assert responses and responses[0].status == 200, raw[:200]
    now = [pid for pid in listening_pids(server.port, children(main)) if pid != main]
    assert len(now) >= len(workers), f"{len(workers)} workers before the kill, {len(now)} after"


def test_the_port_is_free_again_after_a_clean_stop(start_server):
    """After SIGTERM `bulletin serve` and all its processes are gone and the port can be bound again (nginx -s quit
    does the same)."""
    server = start_server()
    pids = children(server.process.pid)
    os.kill(server.process.pid, signal.SIGTERM)  # the main process only: it stops the others
    server.process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in pids if alive(pid)]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", server.port))
