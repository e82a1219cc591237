"""The search gate of `bulletin serve`'s workers (bulletin/front/search_gate.py): what it reads of the kernel, and
when it lets a search through.

What it is for, files keeping their read rate while 20 clients search, is measured in bench/search_read_rate.py.
"""

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest

from bulletin.front import search_gate
from bulletin.front.app import Front
from bulletin.front.files import FileCache
from bulletin.front.search_gate import BURST, ChildrenCpu, SearchGate, WorkerLoad
from bulletin.live.hub import LiveHub
from tests.event_loop import run
from tests.front.test_app import RecordingDjango, call

CHILDREN_LISTED = os.path.isfile(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
linux_only = pytest.mark.skipif(
    not CHILDREN_LISTED or not os.path.isfile("/proc/self/schedstat"),
    reason="the gate reads Linux's /proc (SearchGate.for_worker builds none without it)",
)


def write_threads(folder, *threads):
    """A /proc/PID/task folder: one schedstat per thread, from (seconds run, seconds waited)."""
    for number, (ran, waited) in enumerate(threads):
        (folder / str(number)).mkdir(exist_ok=True)
        (folder / str(number) / "schedstat").write_text(f"{round(ran * 1e9)} {round(waited * 1e9)} 7\n")


@pytest.mark.parametrize(
    "first, second, busy",  # each thread's (seconds run, seconds waited) in one second
    [
        ((0.3, 0.4), (0.4, 0.7), True),  # wanted 1.8 cores, waited 1.1: the files' load of the bench
        ((0.01, 0.01), (0.02, 0.2), False),  # relaying searches: waited, but wanted little
        ((0.02, 0.03), (0.02, 0.6), False),  # the same on a machine busy with something else
        ((0.9, 0.1), (0.0, 0.0), False),  # busy, and the CPU was there when it wanted it
        ((0.05, 0.0), (0.05, 1.2), True),  # starved: ran little, because it waited
    ],
)
def test_a_worker_is_busy_when_it_wanted_a_core_and_waited_for_half(tmp_path, first, second, busy):
    clock = Clock()
    write_threads(tmp_path, (5, 1), (1, 1))
    load = WorkerLoad(tmp_path, clock)
    write_threads(tmp_path, (5 + first[0], 1 + first[1]), (1 + second[0], 1 + second[1]))
    clock.now += 1.0
    load.sample()
    assert load.busy is busy


def test_threads_that_end_or_start_count_for_what_they_did_in_the_window(tmp_path):
    clock = Clock()
    write_threads(tmp_path, (1, 1), (9, 9))
    load = WorkerLoad(tmp_path, clock)
    (tmp_path / "1" / "schedstat").unlink()
    (tmp_path / "1").rmdir()
    write_threads(tmp_path, (1.6, 1.6))  # the one left ran 0.6 s and waited 0.6 s
    clock.now += 1.0
    load.sample()
    assert load.busy is True  # the 18 s of the thread that ended are not taken off
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "schedstat").write_text("100000000 900000000 3\n")  # a new thread: 0.1 s run, 0.9 waited
    write_threads(tmp_path, (1.65, 1.6))
    clock.now += 1.0
    load.sample()
    assert load.busy is True  # 0.15 run and 0.9 waited in all, 0.9 of it by the new thread
    clock.now += 1.0
    load.sample()
    assert load.busy is False


# The kernel's own numbers: a child process pinned to one CPU, where two of its threads (hashing, which lets go of
# the GIL) and a spinning competitor take turns, is short of CPU; the same child asleep is not.
SHORT_OF_CPU = textwrap.dedent(
    """
    import hashlib, os, subprocess, sys, threading, time
    from pathlib import Path
    from bulletin.front.search_gate import WorkerLoad
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    load = WorkerLoad(Path("/proc/self/task"))
    time.sleep(0.5)
    load.sample()
    print("asleep", load.busy, flush=True)
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    os.sched_setaffinity(spin.pid, {cpu})
    stop, data = threading.Event(), os.urandom(1 << 20)
    def hash_until_stopped():
        while not stop.is_set():
            hashlib.sha256(data).digest()
    try:
        threads = [threading.Thread(target=hash_until_stopped) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
        load.sample()
        time.sleep(1.0)
        load.sample()
    finally:
        stop.set()
        spin.kill()
    print("contended", load.busy, flush=True)
    """
)


@linux_only
def test_the_kernel_tells_a_worker_short_of_cpu_from_one_asleep():
    out = subprocess.run(
        [sys.executable, "-c", SHORT_OF_CPU], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.split() == ["asleep", "False", "contended", "True"]


CHILD = textwrap.dedent(
    """
    import sys, time
    print("ready", flush=True)
    sys.stdin.readline()
    end = time.process_time() + float(sys.argv[1])
    while time.process_time() < end:
        pass
    print("done", flush=True)
    sys.stdin.readline()
    """
)


@linux_only
def test_the_cpu_of_the_django_processes_is_counted_and_no_one_elses():
    def child(seconds, *marker):
        return subprocess.Popen(
            [sys.executable, "-c", CHILD, str(seconds), *marker],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    marked, other = child(0.3, "bulletin-gate-test-marker"), child(1.0)
    try:
        for process in (marked, other):  # running: its command line is readable (not in the middle of exec)
            assert process.stdout.readline() == "ready\n"
        cpu = ChildrenCpu(os.getpid(), b"bulletin-gate-test-marker")
        assert cpu.used() == 0.0  # the first look only finds them
        assert list(cpu.seen) == [marked.pid]
        for process in (marked, other):
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in (marked, other):
            assert process.stdout.readline() == "done\n"
        assert 0.25 <= cpu.used() < 0.8
        assert cpu.used() < 0.05  # counted once
        marked.kill()
        marked.wait()
        assert cpu.used() == 0.0
        assert cpu.seen == {}
        again = child(0.0, "bulletin-gate-test-marker")  # a Django process started in the place of the dead one
        try:
            assert again.stdout.readline() == "ready\n"
            cpu.used()
            assert list(cpu.seen) == [again.pid]
        finally:
            again.kill()
            again.wait()
    finally:
        for process in (marked, other):
            process.kill()
            process.wait()


def fake_process(proc, pid, command, started, ticks):
    (proc / str(pid)).mkdir(exist_ok=True)
    (proc / str(pid) / "cmdline").write_bytes(command)
    fields = ["S", "1"] + ["0"] * 9 + [str(ticks), "0"] + ["0"] * 6 + [str(started)]  # proc(5): fields 3 to 22
    (proc / str(pid) / "stat").write_text(f"{pid} (python3) {' '.join(fields)}\n")


def test_a_pid_taken_again_by_another_process_is_not_counted_as_the_old_one(tmp_path):
    (tmp_path / "10" / "task" / "10").mkdir(parents=True)
    (tmp_path / "10" / "task" / "10" / "children").write_text("11 12 ")
    fake_process(tmp_path, 11, b"python\0-m\0bulletin.front.django_processes\0", started=500, ticks=100)
    fake_process(tmp_path, 12, b"python\0-m\0something.else\0", started=500, ticks=100)
    cpu = ChildrenCpu(10, b"bulletin.front.django_processes", proc=tmp_path)
    assert cpu.used() == 0.0 and list(cpu.seen) == [11]
    fake_process(tmp_path, 11, b"python\0-m\0bulletin.front.django_processes\0", started=500, ticks=150)
    assert cpu.used() == pytest.approx(50 / os.sysconf("SC_CLK_TCK"))
    fake_process(tmp_path, 11, b"python\0-c\0pass\0", started=900, ticks=20)  # died; its pid went to another
    (tmp_path / "10" / "task" / "10" / "children").write_text("12 ")
    assert cpu.used() == 0.0 and cpu.seen == {}


class Load:
    """The worker's load, as the test says it is."""

    busy = False


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class DjangoCpu:
    """CPU seconds the Django processes used, as the test says they did."""

    def __init__(self):
        self.pending = 0.0

    def __call__(self):
        used, self.pending = self.pending, 0.0
        return used


@pytest.fixture
def gate():
    load, clock, cpu = Load(), Clock(), DjangoCpu()
    return SearchGate(0.1, max_wait=30, load=load, django_cpu=cpu, clock=clock), load, clock, cpu


def spend_the_budget(gate, load, cpu):
    """The worker short of CPU, and the Django processes far over their budget."""
    load.busy = True
    cpu.pending = 5.0
    gate.account()


async def hold(gate, entered, leave):
    """Take a turn, say whether it was given, and keep it until ``leave`` is set."""
    async with gate.turn() as admitted:
        entered.append(admitted)
        await leave.wait()


async def settle():
    for _ in range(10):
        await asyncio.sleep(search_gate.POLL)


def test_while_the_worker_has_cpu_to_spare_every_search_goes_at_once(gate):
    gate, load, clock, cpu = gate

    async def scenario():
        entered, leave = [], asyncio.Event()
        tasks = [asyncio.ensure_future(hold(gate, entered, leave)) for _ in range(20)]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert entered == [True] * 20
        assert gate.in_flight == 20
        leave.set()
        await asyncio.gather(*tasks)
        assert gate.in_flight == 0

    run(scenario())


def test_while_the_worker_is_short_of_cpu_searches_go_one_at_a_time_in_order(gate):
    gate, load, clock, cpu = gate
    load.busy = True

    async def scenario():
        entered, leaves, tasks = [], [asyncio.Event() for _ in range(3)], []

        async def search(number):
            async with gate.turn() as admitted:
                entered.append((number, admitted))
                await leaves[number].wait()

        for number in range(3):
            tasks.append(asyncio.ensure_future(search(number)))
            await asyncio.sleep(0)
        await settle()
        assert entered == [(0, True)]  # the budget is full, but one search is in flight
        leaves[0].set()
        await settle()
        assert entered == [(0, True), (1, True)]
        leaves[2].set()  # the third is done as soon as it may start; the second still holds its turn
        await settle()
        assert entered == [(0, True), (1, True)]
        leaves[1].set()
        await asyncio.gather(*tasks)
        assert entered == [(0, True), (1, True), (2, True)]

    run(scenario())


def test_a_spent_budget_makes_searches_wait_for_it_to_fill_again(gate):
    gate, load, clock, cpu = gate
    load.busy = True

    async def scenario():
        cpu.pending = 0.7  # 0.5 in hand, 0.2 owed
        gate.account()
        assert gate.budget == pytest.approx(-0.2)
        entered = []
        waiting = asyncio.ensure_future(hold(gate, entered, asyncio.Event()))
        await settle()
        assert entered == []
        clock.now += 1.0  # 0.1 CPU second per second: still 0.1 owed
        await settle()
        assert entered == []
        clock.now += 1.5
        await settle()
        assert entered == [True]
        waiting.cancel()

    run(scenario())


def test_a_debt_is_capped_and_a_quiet_spell_fills_the_budget(gate):
    gate, load, clock, cpu = gate
    load.busy = True
    cpu.pending = 30.0  # an editor's publish of a big live blog
    gate.account()
    assert gate.budget == -BURST
    clock.now += 100.0
    gate.account()
    assert gate.budget == BURST
    load.busy = False
    cpu.pending = 3.0
    gate.account()
    assert gate.budget == BURST


def test_a_search_that_waited_its_longest_is_refused(gate):
    gate, load, clock, cpu = gate
    gate.max_wait = 0.2
    spend_the_budget(gate, load, cpu)

    async def scenario():
        async with gate.turn() as admitted:
            assert admitted is False
        assert gate.in_flight == 0 and gate.waiting == 0

    run(scenario())


def test_too_many_waiting_searches_are_refused_at_once(gate, monkeypatch):
    gate, load, clock, cpu = gate
    monkeypatch.setattr(search_gate, "MAX_WAITING", 2)
    spend_the_budget(gate, load, cpu)

    async def scenario():
        entered = []
        waiting = [asyncio.ensure_future(hold(gate, entered, asyncio.Event())) for _ in range(2)]
        await settle()
        async with gate.turn() as admitted:
            assert admitted is False
        assert entered == []
        for task in waiting:
            task.cancel()

    run(scenario())


def test_the_front_answers_a_refused_search_with_503_and_lets_the_admin_through(tmp_path):
    (tmp_path / "public").mkdir()
    (tmp_path / "media").mkdir()
    load, clock, cpu = Load(), Clock(), DjangoCpu()
    gate = SearchGate(0.1, max_wait=0.1, load=load, django_cpu=cpu, clock=clock)
    django = RecordingDjango()
    front = Front(FileCache(tmp_path / "public", tmp_path / "media", 1 << 20), LiveHub(), django, 100, search_gate=gate)
    assert call(front, "/search/", query=b"q=kharkiv")[0] == 200
    load.busy = True
    cpu.pending = 5.0
    status, headers, body = call(front, "/search/", query=b"q=kharkiv")
    assert status == 503
    assert headers["retry-after"] == "5"
    assert headers["cache-control"] == "no-store"
    assert b"try again" in body
    assert call(front, "/admin/pages/search/", query=b"q=kharkiv")[0] == 200
    assert django.paths == ["/search/", "/admin/pages/search/"]


def test_the_front_keeps_the_gate_current_for_the_workers_life(tmp_path, monkeypatch):
    (tmp_path / "public").mkdir()
    (tmp_path / "media").mkdir()
    monkeypatch.setattr(search_gate, "LOAD_WINDOW", 0.01)
    load, clock, cpu = Load(), Clock(), DjangoCpu()
    load.sample = lambda: setattr(load, "busy", True)
    gate = SearchGate(0.1, max_wait=1, load=load, django_cpu=cpu, clock=clock)
    front = Front(FileCache(tmp_path / "public", tmp_path / "media", 1 << 20), LiveHub(), RecordingDjango(), 100)
    front.search_gate = gate

    async def scenario():
        front.start()
        cpu.pending = 0.3
        await asyncio.sleep(0.2)
        for task in front.tasks:
            task.cancel()
        assert load.busy
        assert gate.budget == pytest.approx(BURST - 0.3)

    run(scenario())


def test_a_search_in_flight_for_long_no_longer_holds_the_next_one(gate):
    gate, load, clock, cpu = gate
    load.busy = True

    async def scenario():
        entered, leave = [], asyncio.Event()
        tasks = [asyncio.ensure_future(hold(gate, entered, leave)) for _ in range(2)]
        await settle()
        assert entered == [True]  # the first waits on the database, say, and uses no CPU
        clock.now += search_gate.MAX_TURN
        await settle()
        assert entered == [True, True]
        leave.set()
        await asyncio.gather(*tasks)

    run(scenario())


def test_a_waiting_search_that_is_cancelled_leaves_the_line_to_the_next(gate):
    gate, load, clock, cpu = gate
    spend_the_budget(gate, load, cpu)

    async def scenario():
        entered = []
        first = asyncio.ensure_future(hold(gate, entered, asyncio.Event()))
        second = asyncio.ensure_future(hold(gate, entered, asyncio.Event()))
        await settle()
        first.cancel()
        await settle()
        assert gate.waiting == 1 and gate.in_flight == 0
        clock.now += 100.0  # the budget fills again
        await settle()
        assert entered == [True]
        second.cancel()

    run(scenario())


def test_the_gate_lets_a_search_through_when_it_cannot_read_the_cpu(gate):
    gate, load, clock, cpu = gate
    load.busy = True

    def unreadable():
        raise IndexError("a /proc file of an unexpected form")

    gate.django_cpu = unreadable

    async def scenario():
        async with gate.turn() as admitted:
            assert admitted is True

    run(scenario())


@pytest.fixture
def gated_front(tmp_path):
    (tmp_path / "public").mkdir()
    (tmp_path / "media").mkdir()
    load, clock, cpu = Load(), Clock(), DjangoCpu()
    gate = SearchGate(0.1, max_wait=5, load=load, django_cpu=cpu, clock=clock)
    django = RecordingDjango()
    front = Front(FileCache(tmp_path / "public", tmp_path / "media", 1 << 20), LiveHub(), django, 100, search_gate=gate)
    return front, django, load, cpu


def search_scope():
    return {"type": "http", "method": "GET", "path": "/search/", "raw_path": b"/search/", "query_string": b"q=x"}


def test_a_client_that_leaves_while_its_search_waits_gets_no_search_run(gated_front):
    front, django, load, cpu = gated_front
    spend_the_budget(front.search_gate, load, cpu)
    sent, leaving = [], asyncio.Event()

    async def receive():
        await leaving.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def scenario():
        search = asyncio.ensure_future(front({**search_scope(), "headers": []}, receive, send))
        await settle()
        leaving.set()
        await settle()
        front.search_gate.clock.now += 100.0  # the budget fills: a search still waiting would go now
        await settle()
        assert search.done()
        await search

    run(scenario())
    assert sent == []  # neither the search nor a 503: nobody is there to read it
    assert django.paths == []
    assert front.search_gate.waiting == 0 and front.search_gate.in_flight == 0


def test_a_gated_search_reaches_django_without_a_body(gated_front):
    front, django, load, cpu = gated_front
    load.busy = True
    status, _, body = call(front, "/search/", query=b"q=x", body_chunks=(b"ab", b"cd"))
    assert (status, body) == (200, b"django")
    assert django.bodies == [b""]


@pytest.mark.parametrize("share", ["0", "-0.1"])
def test_a_share_of_nothing_stops_the_start_with_an_error(share):
    done = subprocess.run(
        [sys.executable, "-c", "import bulletin.settings.base"],
        env={**os.environ, "BULLETIN_SEARCH_BUSY_SHARE": share},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "BULLETIN_SEARCH_BUSY_SHARE must be above 0" in done.stderr
