"""Reader search waits its turn while the workers that serve files are short of CPU.

Why: on a machine whose cores are all busy serving files, every CPU second a search takes in the Django processes
is one the workers lose. A niceness (django_processes.py) does not bound that: a niced process still gets its
share, and 20 clients searching left a published file 0.65 to 0.77 of its read rate (bench/search_read_rate.py).
This gate bounds the share the way nginx's `limit_req` protects a backend, but only while it matters: searches wait
in the worker and are relayed one at a time, at the pace that keeps the Django processes within
BULLETIN_SEARCH_BUSY_SHARE of the machine's CPU. While the workers have CPU to spare the gate is open, so search
runs at full speed whenever the files leave it room. The admin is never gated: editors publish during the spike.

How a worker knows it is short of CPU: Linux's scheduler statistics of each of its threads
(/proc/self/task/*/schedstat: the time it ran, and the time it was runnable but waited for a CPU). A worker whose
threads, over the last LOAD_WINDOW, wanted at least BUSY_DEMAND cores (ran or waited) and waited for at least
BUSY_WAIT of one is busy with files and short of CPU. Measured on 2 cores (2 workers, 100,000-story site): under a
file load that fills both cores each worker ran 0.7 and waited 1.1; while 20 clients only searched, each ran 0.03
to 0.05 and waited at most 0.3, so either test alone would tell them apart, and both leave a margin.

What a search costs: the CPU seconds of the Django processes (/proc/PID/stat), whatever they spent them on. An
editor's publish spends the same budget, so readers' searches wait while the newsroom works; a debt is capped at
BURST, so they never wait longer than BURST ÷ the share for one.

Elsewhere than Linux (or on a kernel without /proc/PID/task/TID/children) there are no such statistics, and
`for_worker` builds no gate.
"""

import asyncio
import contextlib
import logging
import os
import time
from pathlib import Path

from . import django_processes

logger = logging.getLogger(__name__)

#: Seconds between two looks at the worker's scheduler statistics.
LOAD_WINDOW = 0.25
#: A worker is short of CPU when, over LOAD_WINDOW, its threads ran or waited on the run queue for at least
#: BUSY_DEMAND seconds per second and waited for at least BUSY_WAIT (summed over its threads).
BUSY_DEMAND = 1.0
BUSY_WAIT = 0.5
#: CPU seconds of searching the budget holds at most (a burst after a quiet spell) and owes at most (after a
#: publish or a long search).
BURST = 0.5
#: Seconds between two looks at the budget while a search waits.
POLL = 0.02
#: Searches that may wait in one worker; more are refused at once.
MAX_WAITING = 1024
#: Marks the command line of serve's Django processes (`python -m bulletin.front.django_processes`).
DJANGO_MARKER = django_processes.__name__.encode()


class WorkerLoad:
    """Whether this process is short of CPU, from the scheduler statistics of its threads."""

    def __init__(self, tasks=Path("/proc/self/task")):
        self.tasks = tasks
        self.busy = False
        self.last = self.read()

    def read(self):
        """(monotonic time, CPU seconds run, seconds waited for a CPU), summed over the threads alive now."""
        ran = waited = 0
        for thread in os.listdir(self.tasks):
            try:
                with open(self.tasks / thread / "schedstat") as stat:
                    run_ns, wait_ns, _ = stat.read().split()
            except (OSError, ValueError):  # the thread ended meanwhile
                continue
            ran, waited = ran + int(run_ns), waited + int(wait_ns)
        return time.monotonic(), ran / 1e9, waited / 1e9

    def sample(self):
        """Look again; ``busy`` then tells about the time since the last look."""
        now = self.read()
        elapsed = now[0] - self.last[0]
        if elapsed > 0:
            # A thread that ended takes its counts with it: a negative difference reads as not busy.
            ran, waited = (now[1] - self.last[1]) / elapsed, (now[2] - self.last[2]) / elapsed
            self.busy = ran + waited >= BUSY_DEMAND and waited >= BUSY_WAIT
        self.last = now


class ChildrenCpu:
    """CPU seconds used by the processes that ``parent`` started with ``marker`` in their command line."""

    #: Seconds between two looks for processes started since (a Django process that died is started again).
    RESCAN = 5.0

    def __init__(self, parent, marker, proc=Path("/proc")):
        self.parent, self.marker, self.proc = parent, marker, proc
        self.seen = {}  # pid -> its CPU seconds at the last look
        self.scanned = float("-inf")

    def cpu_seconds(self, pid):
        """The CPU seconds of process ``pid`` and all its threads, dead ones included; None once it is gone."""
        try:
            with open(self.proc / str(pid) / "stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def children(self):
        """The pids of the parent's children, from each of its threads' list (the thread that started them)."""
        pids = set()
        tasks = self.proc / str(self.parent) / "task"
        try:
            threads = os.listdir(tasks)
        except OSError:  # the parent is gone (its workers follow it: supervision.die_with_parent)
            return pids
        for thread in threads:
            try:
                pids.update(int(pid) for pid in (tasks / thread / "children").read_text().split())
            except OSError:  # the thread ended meanwhile
                continue
        return pids

    def scan(self):
        for pid in self.children() - self.seen.keys():
            try:
                with open(self.proc / str(pid) / "cmdline", "rb") as cmdline:
                    if self.marker not in cmdline.read():
                        continue
            except OSError:
                continue
            cpu = self.cpu_seconds(pid)
            if cpu is not None:
                self.seen[pid] = cpu  # counted from now: its start-up is no search's doing
        self.scanned = time.monotonic()

    def used(self):
        """CPU seconds the processes used since the last call."""
        if time.monotonic() - self.scanned >= self.RESCAN:
            self.scan()
        total = 0.0
        for pid, before in list(self.seen.items()):
            now = self.cpu_seconds(pid)
            if now is None:
                del self.seen[pid]
                self.scanned = float("-inf")  # look for the one started in its place
                continue
            total += now - before
            self.seen[pid] = now
        return total


class SearchGate:
    """Lets a search through at once while the worker has CPU to spare; otherwise one at a time per worker, when
    the budget (``cores`` CPU seconds per second for the Django processes) allows, within ``max_wait`` seconds."""

    def __init__(self, cores, max_wait, load, django_cpu, clock=time.monotonic):
        self.cores, self.max_wait, self.load, self.django_cpu, self.clock = cores, max_wait, load, django_cpu, clock
        self.budget, self.at = BURST, clock()
        self.line = asyncio.Lock()  # asyncio's locks wake their waiters in order: first come, first served
        self.in_flight = self.waiting = 0

    @classmethod
    def for_worker(cls, share, max_wait):
        """The gate of one worker of `bulletin serve`, whose Django processes are its siblings; None where the
        gate cannot see the CPU (not Linux) or ``share`` leaves the searches the whole machine."""
        parent = os.getppid()
        if share >= 1 or not Path(f"/proc/{parent}/task/{parent}/children").is_file():
            return None
        cores = share * len(os.sched_getaffinity(0))
        return cls(cores, max_wait, WorkerLoad(), ChildrenCpu(parent, DJANGO_MARKER).used)

    async def watch(self):
        """Keep the worker's load and the budget current (runs for the worker's life)."""
        while True:
            await asyncio.sleep(LOAD_WINDOW)
            try:
                self.load.sample()
                self.account()
            except Exception:  # a look must never stop the looking: the gate would stay as it was
                logger.exception("reading the worker's load for the search gate failed")

    def account(self):
        now, used = self.clock(), self.django_cpu()
        if self.load.busy:
            self.budget = min(BURST, max(-BURST, self.budget + self.cores * (now - self.at) - used))
        else:
            self.budget = BURST
        self.at = now

    def may_go(self):
        self.account()
        return not self.load.busy or (self.in_flight == 0 and self.budget > 0)

    @contextlib.asynccontextmanager
    async def turn(self):
        """``async with gate.turn() as admitted``: relay the search if ``admitted``, else answer that search is
        busy."""
        admitted = await self.enter()
        try:
            yield admitted
        finally:
            if admitted:
                self.in_flight -= 1

    async def enter(self):
        if not self.load.busy and not self.line.locked():
            self.in_flight += 1
            return True
        if self.waiting >= MAX_WAITING:
            return False
        self.waiting += 1
        try:
            async with asyncio.timeout(self.max_wait), self.line:
                while not self.may_go():
                    await asyncio.sleep(POLL)
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        self.in_flight += 1
        return True
