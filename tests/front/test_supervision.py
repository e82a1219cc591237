"""The process tree of a real `bulletin serve`: workers respawn, die with the server, and a held port is refused."""

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulletin.front.supervision import port_holders
from tests.servers import Server, demo_copy, request, server_env


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A built five-story demo site and the environment to serve it."""
    data_dir = tmp_path_factory.mktemp("supervised")
    env = server_env(data_dir)
    demo_copy(tmp_path_factory, data_dir, "--stories", "5", "--quiet")
    return env, data_dir


def children(pid):
    """The pids of the live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
            found.append(int(entry))
    return found


def workers(pid):
    """The granian workers of `bulletin serve` ``pid`` (multiprocessing also starts a resource tracker)."""
    return [child for child in children(pid) if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def alive(pid):
    try:
        return not Path(f"/proc/{pid}/status").read_text().split("State:\t")[1].startswith("Z")
    except OSError:
        return False


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the process tree did not converge"
        time.sleep(0.2)


def listening_workers(server):
    """The workers of ``server`` that listen on its port (a worker binds once it has loaded Django)."""
    holders = {pid for pid, _, _ in port_holders(server.port)}
    return [pid for pid in workers(server.process.pid) if pid in holders]


def answers(port):
    try:
        return request(port, "/")[0] == 200
    except OSError:
        return False


def test_a_killed_worker_is_respawned_while_the_other_answers(site, tmp_path):
    env, _ = site
    server = Server(env, tmp_path / "serve.log")
    try:
        wait_until(lambda: len(listening_workers(server)) == 2)
        killed, survivor = listening_workers(server)
        os.kill(killed, signal.SIGKILL)
        # The survivor answers meanwhile; a connection the kernel queued on the dying worker's socket is reset
        # unless net.ipv4.tcp_migrate_req is 1 (docs/serving.md), so a failure right at the kill is allowed.
        wait_until(lambda: all(answers(server.port) for _ in range(10)), seconds=10)
        wait_until(lambda: len(listening_workers(server)) == 2 and killed not in workers(server.process.pid))
        assert survivor in listening_workers(server)
        assert all(request(server.port, "/")[0] == 200 for _ in range(10))
    finally:
        server.stop()


def test_a_second_serve_on_a_held_port_is_refused_by_name(site, tmp_path):
    env, _ = site
    server = Server(env, tmp_path / "serve.log")
    try:
        second = subprocess.run(
            [sys.executable, "-m", "bulletin", "serve", "--port", str(server.port), "--no-scheduler"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode != 0
        assert f"is still held by `bulletin serve` {server.process.pid}" in second.stderr
        assert request(server.port, "/")[0] == 200  # the first one is untouched
    finally:
        server.stop()


def test_killing_serve_takes_its_workers_along(site, tmp_path):
    env, _ = site
    server = Server(env, tmp_path / "serve.log")
    tree = children(server.process.pid)
    assert len(workers(server.process.pid)) == 2
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    wait_until(lambda: not any(alive(pid) for pid in tree), seconds=10)
    # Nothing holds the port any more: a new server starts on it.
    again = Server(env, tmp_path / "again.log", port=server.port)
    again.stop()
    server.log.close()


def django_processes(pid):
    """The Django processes of `bulletin serve` ``pid`` (bulletin/front/django_processes.py)."""
    return [child for child in children(pid) if b"django_processes" in Path(f"/proc/{child}/cmdline").read_bytes()]


def niceness_and_session(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[16]), int(fields[3])  # stat fields 19 (nice) and 6 (session), counted after the name


def test_django_runs_in_niced_processes_of_their_own_that_are_started_again_when_killed(site, tmp_path):
    """Files are answered by the workers at normal priority; Django (search, the admin) by two processes at
    niceness 5 in a session of their own (their own scheduling group). Killed, they are started again, and a
    request that came meanwhile waits in the socket's queue and is answered, not refused."""
    env, _ = site
    server = Server(env, tmp_path / "serve.log")
    try:
        main = server.process.pid
        wait_until(lambda: len(django_processes(main)) == 2)  # each names its module once it has exec'd
        # Niceness is relative to serve's own (the suite may run under `nice`). Each Django process lowers its
        # priority once it has loaded Django, which may end after serve answers files.
        own = niceness_and_session(main)[0]
        wait_until(lambda: all(niceness_and_session(pid) == (own + 5, pid) for pid in django_processes(main)))
        for pid in workers(main):
            assert niceness_and_session(pid)[0] == own
        assert request(server.port, "/search/?q=Kharkiv")[0] == 200
        killed = django_processes(main)
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        assert request(server.port, "/")[0] == 200  # a file: no Django process needed
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=90)
        connection.request("GET", "/search/?q=Kharkiv")
        assert connection.getresponse().status == 200  # answered once a new Django process has started
        connection.close()
        # Both are started again, one after the other (each after its own back-off).
        wait_until(lambda: len(django_processes(main)) == 2)
        assert not set(django_processes(main)) & set(killed)
    finally:
        server.stop()
