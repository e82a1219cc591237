"""The front under hostile traffic: a normal reader's time to get a file, and the workers' memory, while attackers
hold connections. Not a test (timings are noisy); the numbers are recorded in bench/README.md.

Guards against: a front whose connection handling can be exhausted or made to grow without bound by a single
client (slowloris, silent sockets, pipelined requests that are never read, huge headers).

    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/python bench/hostile_front.py [--sockets 2000] [--seconds 20]

Starts `bulletin serve` (2 workers) on a free port, then runs each scenario in turn; meanwhile a reader fetches
/ on a new connection every 0.2 s. Prints a Markdown table and writes JSON to bench/results/.
"""

import argparse
import json
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_once(port):
    """Seconds to fetch / whole on a new connection (None on failure)."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return time.monotonic() - started if data.startswith(b"HTTP/1.1 200") else None
    except OSError:
        return None


def worker_pids(main):
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1] == str(main):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    pids.append(int(pid))
        except OSError:
            continue
    return pids


def rss_mb(pids):
    total = 0
    for pid in pids:
        try:
            total += int(
                next(
                    line.split()[1]
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("VmRSS")
                )
            )
        except (OSError, StopIteration):
            continue
    return total / 1024


class Reader(threading.Thread):
    """A normal reader: / on a new connection every 0.2 s; records each time (None for a failure)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.times, self.stopping = port, [], threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.times.append(get_once(self.port))
            time.sleep(0.2)


def open_many(port, count, first=b""):
    socks = []
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            break
        sock.setblocking(False)
        if first:
            try:
                sock.send(first)
            except OSError:
                pass
        socks.append(sock)
    return socks


def slowloris(port, count, seconds):
    """``count`` connections each sending a header byte a second, reopened when the server closes them."""
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: "
    socks, closed, deadline = open_many(port, count, head), 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        for i, sock in enumerate(socks):
            try:
                sock.send(b"a")
                if sock.recv(1, socket.MSG_PEEK) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
                sock.close()
                replacement = open_many(port, 1, head)
                if replacement:
                    socks[i] = replacement[0]
        time.sleep(1)
    return socks, {"closed_by_server": closed}


def silent(port, count, seconds):
    """``count`` connections that never send a byte."""
    socks = open_many(port, count)
    time.sleep(seconds)
    still_open = 0
    for sock in socks:
        try:
            still_open += sock.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
    return socks, {"still_open": still_open}


def pipelined(port, connections, seconds, requests=300):
    """``connections`` connections each sending ``requests`` pipelined GETs and never reading an answer."""
    socks = open_many(port, connections)
    sent = 0
    for sock in socks:
        sock.setblocking(True)
        sock.settimeout(5)
        try:
            sock.sendall(REQUEST * requests)
            sent += requests
        except OSError:
            pass
    time.sleep(seconds)
    return socks, {"requests_sent": sent}


def huge_headers(port, connections, seconds, size=1024 * 1024):
    """``connections`` clients sending 1 MB headers again and again for ``seconds``."""
    deadline, refused, answers = time.monotonic() + seconds, 0, {}
    while time.monotonic() < deadline:
        for sock in open_many(port, connections):
            sock.setblocking(True)
            sock.settimeout(5)
            try:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
            except OSError:
                refused += 1  # the server answered and closed before the megabyte was sent
            try:
                status = sock.recv(64).split(b"\r\n")[0].decode(errors="replace")
                answers[status] = answers.get(status, 0) + 1
            except OSError:
                pass
            sock.close()
    return [], {"cut_off_while_sending": refused, "answers": answers}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "serve", "--port", str(port), "--workers", "2", "--no-scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    results = {}
    try:
        deadline = time.monotonic() + 120
        while get_once(port) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("bulletin serve did not start")
            time.sleep(0.5)
        for _ in range(50):
            get_once(port)  # warm the file caches of both workers
        workers = worker_pids(serve.pid)
        scenarios = {
            f"slowloris, {args.sockets} sockets": lambda: slowloris(port, args.sockets, args.seconds),
            f"silent, {args.sockets} sockets": lambda: silent(port, args.sockets, args.seconds),
            "pipelined, 8 × 300 GETs never read": lambda: pipelined(port, 8, args.seconds),
            "1 MB headers, 20 at a time": lambda: huge_headers(port, 20, args.seconds),
        }
        for name, attack in scenarios.items():
            before = rss_mb(workers)
            reader = Reader(port)
            reader.start()
            peak = [before]
            sampler_stop = threading.Event()

            def sample(stop=sampler_stop, peak=peak):
                while not stop.is_set():
                    peak[0] = max(peak[0], rss_mb(workers))
                    time.sleep(0.5)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            socks, detail = attack()
            reader.stopping.set()
            reader.join()
            sampler_stop.set()
            sampler.join()
            for sock in socks:
                sock.close()
            ok = [t * 1000 for t in reader.times if t is not None]
            results[name] = {
                "reader_requests": len(reader.times),
                "reader_failures": len(reader.times) - len(ok),
                "reader_p50_ms": statistics.median(ok) if ok else None,
                "reader_max_ms": max(ok) if ok else None,
                "rss_before_mb": before,
                "rss_peak_mb": peak[0],
                "workers_alive": len(worker_pids(serve.pid)),
                **detail,
            }
            time.sleep(2)
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)

    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"hostile_front-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"machine": machine, "seconds": args.seconds, "results": results}, indent=1))
    print("| attack | reader: requests (failed) | reader p50 / max ms | workers' RSS before → peak MB | detail |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        detail = {
            k: v
            for k, v in r.items()
            if k
            not in (
                "reader_requests",
                "reader_failures",
                "reader_p50_ms",
                "reader_max_ms",
                "rss_before_mb",
                "rss_peak_mb",
            )
        }
        p50 = f"{r['reader_p50_ms']:.1f} / {r['reader_max_ms']:.1f}" if r["reader_p50_ms"] is not None else "n/a"
        print(
            f"| {name} | {r['reader_requests']} ({r['reader_failures']}) | {p50} | "
            f"{r['rss_before_mb']:.0f} → {r['rss_peak_mb']:.0f} | {json.dumps(detail)} |"
        )
    print(f"\nraw results: {out}")


if __name__ == "__main__":
    main()
