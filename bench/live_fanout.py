"""Live fan-out: N readers on /live/ of `bulletin serve`, one publish, time until every reader has the event.

Guards against: the live News Feed slowing down or growing in memory with its audience (target: p99 ≤ 1 s at
5,000 readers on this machine).

    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/bulletin demo --stories 1000 --days 90
    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/bulletin build
    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/python bench/live_fanout.py --readers 1000,5000 --rounds 3

With ``--live-blog <page id>`` the readers follow that live blog's topic (/live/?topic=liveblog-<id>) and each
round posts an entry to it as the composer does (docs/liveblogs.md), instead of publishing a story.

The script starts `bulletin serve` (2 granian workers), holds the readers itself (asyncio on uvloop, one socket
each, a separate process from the server), and publishes from a third process (`bulletin manage shell`) that
prints the moment its transaction committed. Latency = the moment a reader's socket delivered the event minus
that moment (one machine, one clock). Memory = growth of the workers' resident memory (/proc) while the
readers are connected, divided by the readers. Each round is split in two with the mtime of the polling file the
fronts read the event from (public/live/latest.json, or the blog's): commit → file (the publishing process) and
file → reader (the fronts noticing it and the hub's fan-out); and the CPU the fronts spent in the round (/proc),
which the machine's load does not stretch. Prints a Markdown table with the medians of the rounds;
writes JSON (every round, the load average) to bench/results/.
"""

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parents[1]
CONNECT_AT_ONCE = 200  # connection attempts in flight; the server's listen backlog is 2,048

PUBLISH = """
import time
from django.db import transaction
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage
story = StoryPage(title={title!r}, slug={slug!r}, summary="Published by the fan-out benchmark.",
                  section=Section.objects.first(), live=False)
story.bylines = [Byline(author=Author.objects.first())]
NewsFeedPage.objects.get().add_child(instance=story)
with transaction.atomic():
    transaction.on_commit(lambda: print("COMMITTED", time.time(), flush=True))  # first callback: the commit itself
    story.save_revision().publish()
"""
POST_ENTRY = """
import time
from django.db import transaction
from bulletin.liveblogs import composer
from bulletin.liveblogs.models import LiveBlogPage
from wagtail.rich_text import RichText
blog = LiveBlogPage.objects.get(pk={blog_id})
with transaction.atomic():
    transaction.on_commit(lambda: print("COMMITTED", time.time(), flush=True))  # first callback: the commit itself
    composer.add_entry(blog, {{"body": [("paragraph", RichText({text!r}))]}}, user=None)
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_ms(pid):
    """CPU time (user + system) of process ``pid`` so far, in milliseconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def front_pids(server_pid):
    """The server's granian workers (multiprocessing's resource tracker is its other child)."""
    return [pid for pid in children(server_pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


async def wait_for_server(port, deadline=90):
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if (await reader.read(12)).startswith(b"HTTP/1.1"):
                writer.close()
                return
        except OSError:
            pass
        await asyncio.sleep(0.3)
    raise RuntimeError("bulletin serve did not start")


class Reader:
    """One reader's stream: records when each round's headline arrives."""

    def __init__(self):
        self.arrivals = {}
        self.stream = None

    async def connect(self, port, path=b"/live/"):
        self.stream = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        reader, writer = self.stream
        writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head[:100])

    async def listen(self, markers):
        reader = self.stream[0]
        while len(self.arrivals) < len(markers):
            frame = await reader.readuntil(b"\n\n")
            now = time.time()
            for number, marker in enumerate(markers):
                if number not in self.arrivals and marker in frame:
                    self.arrivals[number] = now


async def publish(env, title, slug, blog_id=None):
    script = (
        POST_ENTRY.format(blog_id=blog_id, text=f"<p>{title}.</p>")
        if blog_id
        else PUBLISH.format(title=title, slug=slug)
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bulletin",
        "manage",
        "shell",
        "-c",
        script,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await process.communicate()
    for line in out.decode().splitlines():
        if line.startswith("COMMITTED"):
            return float(line.split()[1])
    raise RuntimeError(f"the publish printed no commit time: {out[-500:]!r}")


async def run_size(port, server_pid, env, readers_count, rounds, run_id, blog_id=None):
    fronts = front_pids(server_pid)
    before = sum(rss_kib(pid) for pid in fronts)
    readers = [Reader() for _ in range(readers_count)]
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def connect(reader):
        async with gate:
            await reader.connect(port, f"/live/?topic=liveblog-{blog_id}".encode() if blog_id else b"/live/")

    started = time.monotonic()
    results = await asyncio.gather(*(connect(r) for r in readers), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    connect_seconds = time.monotonic() - started
    connected = [r for r, result in zip(readers, results, strict=True) if not isinstance(result, BaseException)]
    await asyncio.sleep(1)
    try:
        after = sum(rss_kib(pid) for pid in fronts)
    except OSError:  # out of file descriptors: /proc cannot be read either
        after = None
    titles = [f"Fan-out {run_id} {readers_count} round {n}" for n in range(rounds)]
    # A story's headline is a JSON string of its own; an entry's text is inside its HTML, ended by its full stop.
    markers = [(f"{title}." if blog_id else json.dumps(title)).encode() for title in titles]
    listeners = [asyncio.ensure_future(r.listen(markers)) for r in connected]
    public = Path(env.get("BULLETIN_PUBLIC_DIR") or Path(env["BULLETIN_DATA_DIR"]) / "public") / "live"
    events_file = public / (f"liveblog-{blog_id}.json" if blog_id else "latest.json")
    rounds_out = []
    for number, title in enumerate(titles):
        fronts_cpu = sum(cpu_ms(pid) for pid in fronts)
        committed = await publish(env, title, f"fan-out-{run_id}-{readers_count}-{number}", blog_id)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(number not in r.arrivals for r in connected):
            await asyncio.sleep(0.05)
        latencies = sorted(r.arrivals[number] - committed for r in connected if number in r.arrivals)
        # The polling file the fronts read the event from, written by the publishing process (its mtime): splits
        # the latency into publishing (commit → file) and fan-out (file → every reader).
        written = (events_file.stat().st_mtime - committed) if events_file.exists() else None
        # The fronts' CPU for the round: sending one event to every reader (and their heartbeats, if one fell due).
        fronts_cpu = sum(cpu_ms(pid) for pid in fronts) - fronts_cpu
        rounds_out.append(
            {
                "received": len(latencies),
                "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
                "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else None,
                "max_ms": 1000 * latencies[-1] if latencies else None,
                "fronts_cpu_ms": round(fronts_cpu),
                "commit_to_file_ms": round(1000 * written, 1) if written is not None else None,
                "file_to_reader_p99_ms": (
                    round(1000 * (latencies[int(0.99 * (len(latencies) - 1))] - written), 1)
                    if latencies and written is not None
                    else None
                ),
            }
        )
        await asyncio.sleep(1)
    for listener in listeners:
        listener.cancel()
    for reader in connected:
        reader.stream[1].close()
    await asyncio.sleep(1)
    return {
        "readers": readers_count,
        "connected": len(connected),
        "connect_errors": sorted({type(f).__name__ + ": " + str(f)[:80] for f in failures}),
        "connect_seconds": round(connect_seconds, 2),
        "front_rss_before_kib": before,
        "front_rss_connected_kib": after,
        "kib_per_reader": round((after - before) / max(1, len(connected)), 2) if after else None,
        "rounds": rounds_out,
    }


async def main_async(args):
    data_dir = Path(os.environ["BULLETIN_DATA_DIR"]).resolve()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["BULLETIN_PUBLISHER"] = "inline"  # the publishing process writes the files itself, then exits
    run_id = time.strftime("%H%M%S")
    sizes = []
    for readers_count in args.readers:
        # A fresh server for each size, so that memory freed by the previous size does not hide this one's.
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "bulletin", "serve", "--port", str(port), "--workers", "2", "--no-scheduler"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            await wait_for_server(port)
            await asyncio.sleep(2)
            result = await run_size(port, server.pid, env, readers_count, args.rounds, run_id, args.live_blog)
        finally:
            server.terminate()
            server.wait(timeout=30)
        sizes.append(result)
        print(json.dumps(result), flush=True)
    return {"data_dir": str(data_dir), "live_blog": args.live_blog, "sizes": sizes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=lambda s: [int(n) for n in s.split(",")], default=[1000, 5000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--live-blog", type=int, help="a live blog's page id: follow its topic, post entries to it")
    args = parser.parse_args()
    # One descriptor per reader here and one in a worker: raise the limit as far as allowed (root may
    # raise the hard limit too). The server inherits it.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, 65536), max(hard, 65536)))
    except (ValueError, PermissionError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    load_before = os.getloadavg()
    result = uvloop.run(main_async(args))
    result["load_before"], result["load_after"] = load_before, os.getloadavg()
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "open_files_limit": hard,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"live_fanout-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(result, indent=1))
    print(
        "| readers | connected | p50 | p99 | max | commit → file | file → reader p99 | fronts' CPU per event "
        "| front memory per reader | connection errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in result["sizes"]:
        done = [r for r in size["rounds"] if r["p50_ms"] is not None]
        p50 = statistics.median(r["p50_ms"] for r in done) if done else float("nan")
        p99 = statistics.median(r["p99_ms"] for r in done) if done else float("nan")
        worst = max((r["max_ms"] for r in done), default=float("nan"))
        split = [r for r in done if r["commit_to_file_ms"] is not None]
        to_file = statistics.median(r["commit_to_file_ms"] for r in split) if split else float("nan")
        fan_out = statistics.median(r["file_to_reader_p99_ms"] for r in split) if split else float("nan")
        cpu = statistics.median(r["fronts_cpu_ms"] for r in done) if done else float("nan")
        memory = f"{size['kib_per_reader']:.1f} KiB" if size["kib_per_reader"] is not None else "–"
        print(
            f"| {size['readers']:,} | {size['connected']:,} | {p50:.0f} ms | {p99:.0f} ms | {worst:.0f} ms | "
            f"{to_file:.0f} ms | {fan_out:.0f} ms | {cpu:.0f} ms | {memory} | {'; '.join(size['connect_errors'])} |"
        )


if __name__ == "__main__":
    main()
