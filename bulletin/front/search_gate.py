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
BURST, so they never wait longer than BURST ÷ (the share × the CPUs) to pay one back (5 s with the defaults on
two CPUs). A turn ends when Django has answered, or after MAX_TURN: a search held up in the database (a publish
holding SQLite's lock) uses no CPU, and must not keep the next in line waiting.

Elsewhere than Linux (or on a kernel without /proc/PID/task/TID/children) there are no such statistics, and
`for_worker` builds no gate; the worker logs whether it has one.
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
#: Seconds after which a search in flight no longer keeps the next one waiting.
MAX_TURN = 1.0
#: Marks the command line of serve's Django processes (`python -m bulletin.front.django_processes`).
DJANGO_MARKER = django_processes.__name__.encode()


class WorkerLoad:
    """Whether this process is short of CPU, from the scheduler statistics of its threads."""

    def __init__(self, tasks=Path("/proc/self/task"), clock=time.monotonic):
        self.tasks, self.clock = tasks, clock
        self.busy = False
        self.at, self.threads = clock(), self.read()

    def read(self):
        """{thread id: (CPU seconds run, seconds waited for a CPU)} for the threads alive now."""
        threads = {}
        for thread in os.listdir(self.tasks):
            try:
                with open(self.tasks / thread / "schedstat") as stat:
                    run_ns, wait_ns, _ = stat.read().split()
            except FileNotFoundError:  # the thread ended meanwhile
                continue
            threads[thread] = (int(run_ns) / 1e9, int(wait_ns) / 1e9)
        return threads

    def sample(self):
        """Look again; ``busy`` then tells about the time since the last look."""
        now, threads = self.clock(), self.read()
        elapsed = now - self.at
        if elapsed > 0:
            # Each thread's own difference: a thread that ended took its counts with it, and one that started
            # brings all of its own (it ran within this window).
            ran = waited = 0.0
            for thread, (run, wait) in threads.items():
                run_before, wait_before = self.threads.get(thread, (0.0, 0.0))
                ran, waited = ran + run - run_before, waited + wait - wait_before
            ran, waited = ran / elapsed, waited / elapsed
            self.busy = ran + waited >= BUSY_DEMAND and waited >= BUSY_WAIT
        self.at, self.threads = now, threads


class ChildrenCpu:
    """CPU seconds used by the processes that ``parent`` started with ``marker`` in their command line."""

    #: Seconds between two looks for processes started since (a Django process that died is started again).
    RESCAN = 5.0

    def __init__(self, parent, marker, proc=Path("/proc")):
        self.parent, self.marker, self.proc = parent, marker, proc
        self.seen = {}  # pid -> (its start time, its CPU seconds at the last look)
        self.scanned = float("-inf")

    def stat(self, pid):
        """(start time, CPU seconds of the process and all its threads, dead ones included) of ``pid``; None once
        it is gone. Any other error (no file descriptor left) is raised: the process is still there."""
        try:
            with open(self.proc / str(pid) / "stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except (FileNotFoundError, ProcessLookupError):
            return None
        # Fields 22 (starttime), 14 and 15 (utime, stime) of proc(5), counted after the command's parentheses.
        return int(fields[19]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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
                stat = self.stat(pid)
            except OSError:
                continue
            if stat is not None:
                self.seen[pid] = stat  # counted from now: its start-up is no search's doing
        self.scanned = time.monotonic()

    def used(self):
        """CPU seconds the processes used since the last call."""
        if time.monotonic() - self.scanned >= self.RESCAN:
            self.scan()
        total = 0.0
        for pid, (started, before) in list(self.seen.items()):
            try:
                stat = self.stat(pid)
            except OSError:  # unreadable for now: counted at the next look
                continue
            if stat is None or stat[0] != started:  # gone, or its pid already reused by another process
                del self.seen[pid]
                self.scanned = float("-inf")  # look for the one started in its place
                continue
            total += stat[1] - before
            self.seen[pid] = stat
        return total


class SearchGate:
    """Lets a search through at once while the worker has CPU to spare; otherwise one at a time per worker, when
    the budget (``cores`` CPU seconds per second for the Django processes) allows, within ``max_wait`` seconds."""

    def __init__(self, cores, max_wait, load, django_cpu, clock=time.monotonic):
        self.cores, self.max_wait, self.load, self.django_cpu, self.clock = cores, max_wait, load, django_cpu, clock
        self.budget, self.at = BURST, clock()
        self.line = asyncio.Lock()  # asyncio's locks wake their waiters in order: first come, first served
        self.in_flight = self.waiting = 0
        self.admitted_at = float("-inf")

    @classmethod
    def for_worker(cls, share, max_wait):
        """The gate of one worker of `bulletin serve`, whose Django processes are its siblings; None where the
        gate cannot see the CPU (not Linux) or ``share`` leaves the searches the whole machine."""
        parent = os.getppid()
        if share >= 1:
            logger.info("search gate off: BULLETIN_SEARCH_BUSY_SHARE is %s", share)
            return None
        if not Path(f"/proc/{parent}/task/{parent}/children").is_file():
            logger.warning("search gate off: this system does not show a process's children in /proc")
            return None
        cores = share * available_cpus()
        logger.info("search gate on: %.2f CPU seconds a second for searches while this worker is short of CPU", cores)
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
        try:
            self.account()
        except Exception:  # the gate fails open: a search is better answered than refused for our error
            logger.exception("reading the Django processes' CPU for the search gate failed")
            return True
        if not self.load.busy:
            return True
        line_free = self.in_flight == 0 or self.clock() - self.admitted_at >= MAX_TURN
        return line_free and self.budget > 0

    @contextlib.asynccontextmanager
    async def turn(self, left=None):
        """``async with gate.turn(left) as admitted``: relay the search if ``admitted``; else answer that search
        is busy, unless the asyncio future ``left`` is done: the client left while it waited."""
        admitted = await self.enter(left)
        try:
            yield admitted
        finally:
            if admitted:
                self.in_flight -= 1

    async def enter(self, left=None):
        if not self.load.busy and not self.line.locked():
            return self.admit()
        if self.waiting >= MAX_WAITING:
            return False
        self.waiting += 1
        try:
            async with asyncio.timeout(self.max_wait), self.line:
                while not (left is not None and left.done()):
                    if self.may_go():
                        return self.admit()
                    await asyncio.sleep(POLL)
                return False  # nobody waits for this answer any more: its turn goes to the next
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1

    def admit(self):
        self.in_flight += 1
        self.admitted_at = self.clock()
        return True


def available_cpus():
    """The CPUs this process may use: those it may run on, or fewer where its cgroup's quota says so (a container
    started with --cpus, a service with CPUQuota=)."""
    cpus = len(os.sched_getaffinity(0))
    try:
        # cgroup v2's line is "0::/the/group" (just "/" inside a container with its own cgroup namespace).
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        group = next(line[3:] for line in lines if line.startswith("0::"))
        quota, period = (Path("/sys/fs/cgroup") / group.lstrip("/") / "cpu.max").read_text().split()
    except (OSError, ValueError, StopIteration):  # cgroup v1 only, or no quota at this level (the root)
        return cpus
    return cpus if quota == "max" else min(cpus, int(quota) / int(period))
