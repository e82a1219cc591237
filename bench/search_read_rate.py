"""Read rate of a published file through `bulletin serve`, alone and while 20 clients search continuously.

Guards against: reader search (Django, the index) starving the front's file serving. Target: with 20 searching
clients the file keeps ≥ 0.9 of its read rate alone.

    BULLETIN_DATA_DIR=/tmp/search-100k .venv/bin/python bench/search_read_rate.py [--seconds 10] [--rounds 3]

Needs wrk. One `bulletin serve --workers 2` for all measurements; each round measures the file alone, the file
while 20 clients search, and the 20 searching clients alone, so that the machine's load drifts over all alike.
The searchers are one wrk with 20 connections, each asking /search/ for the bench's queries in turn
(bench/search.py's list) as soon as its last answer came; beside the file they start and stop with its readers.
If public/ holds no story yet (a demo that was never built), one story is published first, which writes its files.
Prints a Markdown table and writes JSON to bench/results/, with the CPU seconds that serve's workers (files) and
its Django processes (searches) used in each measurement, read from /proc. The environment reaches serve:
`BULLETIN_SEARCH_BUSY_SHARE=1` turns the search gate off (bulletin/front/search_gate.py), `BULLETIN_DJANGO_NICE=0`
runs the Django processes at the workers' priority, for comparison.
"""

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from read_path import WRK_SCRIPT, free_port, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEARCHERS = 20
QUERIES = [
    "Olena Kovalenko",
    "Taras Melnyk",
    "power Kharkiv restored",
    "governor confirmed attack",
    "reported",
    "the",
    "Kharkiv",
    "energy",
    "kha",
    "Харків",
]

PUBLISH_ONE = """
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage
story = StoryPage(title="Read rate bench story", slug="read-rate-bench-story", summary="Published for the bench.",
                  section=Section.objects.first(), live=False)
story.bylines = [Byline(author=Author.objects.first())]
NewsFeedPage.objects.get().add_child(instance=story)
story.save_revision().publish()
"""


def story_path(public):
    for path in sorted(public.iterdir()) if public.is_dir() else ():
        if (path / "index.html").is_file() and path.name not in ("page", "feed", "sections", "tags", "authors"):
            return f"/{path.name}/"
    return None


def searchers_script(work):
    """A wrk script that sends each connection's requests through QUERIES in turn."""
    paths = ", ".join(f'"/search/?q={quote(q)}"' for q in QUERIES)
    script = work / "searchers.lua"
    script.write_text(
        f"local paths = {{{paths}}}\nlocal n = 0\n"
        "request = function()\n  n = n + 1\n  return wrk.format('GET', paths[(n % #paths) + 1])\nend\n"
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format(\'{"requests":%d,"rps":%.1f,"p50_ms":%.1f,"p95_ms":%.1f,\''
        ' .. \'"non2xx3xx":%d,"timeouts":%d}\\n\','
        " summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,"
        " latency:percentile(95) / 1000, summary.errors.status, summary.errors.timeout))\nend\n"
    )
    return script


def cpu_seconds(server_pid):
    """CPU seconds so far of `serve`'s workers and of its Django processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {"workers": 0.0, "django": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) != server_pid:
            continue
        kind = "workers" if b"spawn_main" in command else "django" if b"django_processes" in command else None
        if kind:
            used[kind] += (int(stat[11]) + int(stat[12])) / ticks  # utime, stime
    return used


def measured(server_pid, run):
    """``run()``'s result with the CPU seconds serve's processes used meanwhile."""
    before = cpu_seconds(server_pid)
    result = run()
    after = cpu_seconds(server_pid)
    result["cpu_s"] = {kind: round(after[kind] - before[kind], 2) for kind in after}
    return result


def wrk(port, path, seconds, connections, script):
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(script)]
        + ["-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(os.environ["BULLETIN_DATA_DIR"]).resolve()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    path = story_path(data_dir / "public")
    if path is None:
        publish_env = {**env, "BULLETIN_PUBLISHER": "inline"}
        subprocess.run(
            [sys.executable, "-m", "bulletin", "manage", "shell", "--no-imports", "-c", PUBLISH_ONE],
            env=publish_env,
            check=True,
        )
        path = story_path(data_dir / "public")
    start_load = os.getloadavg()[0]
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="bench-search-read-"))
    server = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "serve", "--port", str(port), "--workers", "2", "--no-scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    runs = {"alone": [], "with searchers": [], "searchers": [], "searches alone": []}
    try:
        wait_for(port, path)
        searchers = searchers_script(work)
        wrk(port, path, 2, 10, WRK_SCRIPT)  # warm: the front's file cache, the app's first searches
        wrk(port, "/search/", 3, SEARCHERS, searchers)
        for _ in range(args.rounds):
            runs["alone"].append(measured(server.pid, lambda: wrk(port, path, args.seconds, 10, WRK_SCRIPT)))
            # Both start together and run as long: wrk connects in milliseconds, so the file is read while all 20
            # search, and the searches are counted while the file is read.
            background = subprocess.Popen(
                ["wrk", "-t1", f"-c{SEARCHERS}", f"-d{args.seconds}s", "--timeout", "30s", "--latency"]
                + ["-s", str(searchers), f"http://127.0.0.1:{port}/search/"],
                stdout=subprocess.PIPE,
                text=True,
            )
            runs["with searchers"].append(measured(server.pid, lambda: wrk(port, path, args.seconds, 10, WRK_SCRIPT)))
            runs["searchers"].append(json.loads(background.communicate()[0].strip().splitlines()[-1]))
            runs["searches alone"].append(
                measured(server.pid, lambda: wrk(port, "/search/", args.seconds, SEARCHERS, searchers))
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    alone = statistics.median(r["rps"] for r in runs["alone"])
    loaded = statistics.median(r["rps"] for r in runs["with searchers"])
    searches = statistics.median(r["rps"] for r in runs["searchers"])
    searches_alone = statistics.median(r["rps"] for r in runs["searches alone"])
    errors = sum(r["non2xx3xx"] for rs in runs.values() for r in rs)
    nice = os.environ.get("BULLETIN_DJANGO_NICE", "5")
    share = os.environ.get("BULLETIN_SEARCH_BUSY_SHARE", "0.05")
    print(f"file {path}, {args.rounds} rounds of {args.seconds} s, Django processes at niceness {nice}, ", end="")
    print(f"search gate's share {share}" + (" (off)" if float(share) >= 1 else ""))
    print(f"load average at the start {start_load:.1f}, at the end {os.getloadavg()[0]:.1f}")

    def rates(kind):
        return ", ".join(
            "{:,.0f} (CPU s: workers {workers}, Django {django})".format(r["rps"], **r["cpu_s"]) for r in runs[kind]
        )

    def searched(kind):
        return ", ".join(
            "{rps:.1f} (p50 {p50_ms} / p95 {p95_ms} ms, 503: {non2xx3xx}, timeouts: {timeouts}{cpu})".format(
                **r, cpu=", CPU s: workers {workers}, Django {django}".format(**r["cpu_s"]) if "cpu_s" in r else ""
            )
            for r in runs[kind]
        )

    print("| | requests/s (median) | runs |")
    print("|---|---|---|")
    print(f"| story file alone | {alone:,.0f} | {rates('alone')} |")
    print(f"| story file, {SEARCHERS} clients searching | {loaded:,.0f} | {rates('with searchers')} |")
    print(f"| the searches meanwhile | {searches:,.1f} | {searched('searchers')} |")
    print(f"| the searches alone | {searches_alone:,.1f} | {searched('searches alone')} |")
    print(f"ratio with searchers / alone: {loaded / alone:.2f}; non-2xx answers: {errors}")
    result = {
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "path": path,
        "seconds": args.seconds,
        "runs": runs,
        "ratio": round(loaded / alone, 3),
        "django_nice": nice,
        "search_busy_share": share,
        "load_average": os.getloadavg(),
    }
    out = ROOT / "bench" / "results" / "search-read-rate.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
