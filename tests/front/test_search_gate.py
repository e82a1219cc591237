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

linux_only = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="the gate reads Linux's /proc")


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
def test_a_worker_is_busy_when_it_wanted_a_core_and_waited_for_half(tmp_path, monkeypatch, first, second, busy):
    clock = iter([100.0, 101.0])
    monkeypatch.setattr(search_gate.time, "monotonic", lambda: next(clock))
    write_threads(tmp_path, (5, 1), (1, 1))
    load = WorkerLoad(tmp_path)
    write_threads(tmp_path, (5 + first[0], 1 + first[1]), (1 + second[0], 1 + second[1]))
    load.sample()
    assert load.busy is busy


def test_a_thread_that_ended_reads_as_not_busy(tmp_path, monkeypatch):
    clock = iter([100.0, 101.0])
    monkeypatch.setattr(search_gate.time, "monotonic", lambda: next(clock))
    write_threads(tmp_path, (1, 1), (9, 9))
    load = WorkerLoad(tmp_path)
    (tmp_path / "1" / "schedstat").unlink()
    (tmp_path / "1").rmdir()
    write_threads(tmp_path, (2, 2))
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
    threads = [threading.Thread(target=hash_until_stopped) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    load.sample()
    time.sleep(1.0)
    load.sample()
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
    load.busy = True
    cpu.pending = 5.0
    gate.account()

    async def scenario():
        async with gate.turn() as admitted:
            assert admitted is False
        assert gate.in_flight == 0 and gate.waiting == 0

    run(scenario())


def test_too_many_waiting_searches_are_refused_at_once(gate, monkeypatch):
    gate, load, clock, cpu = gate
    monkeypatch.setattr(search_gate, "MAX_WAITING", 2)
    load.busy = True
    cpu.pending = 5.0
    gate.account()

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
    load, cpu = Load(), DjangoCpu()
    load.sample = lambda: setattr(load, "busy", True)
    gate = SearchGate(0.1, max_wait=1, load=load, django_cpu=cpu)
    front = Front(FileCache(tmp_path / "public", tmp_path / "media", 1 << 20), LiveHub(), RecordingDjango(), 100)
    front.search_gate = gate

    async def scenario():
        front.start()
        cpu.pending = 0.3
        await asyncio.sleep(0.2)
        for task in front.tasks:
            task.cancel()
        assert load.busy
        assert gate.budget < BURST - 0.25

    run(scenario())
