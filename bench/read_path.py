"""Read path: the same pre-rendered pages through `bulletin serve` (granian running the front), plain nginx, nginx
with Bulletin's generated config, and rendered by Wagtail on every request (granian, no file), side by side in one
run; also a share link (`/?utm_source=x&fbclid=y`) against `/`, and optionally the hand-written front that
`bulletin serve` had before granian owned the sockets.

Guards against: the read path drifting away from file-server speed (target: `bulletin serve` ≥ 0.5× nginx,
the documented nginx front ≥ 0.95× plain nginx), and tracking parameters sending readers to Django.

    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/bulletin demo --stories 1000
    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/bulletin build
    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/python bench/read_path.py [--seconds 10] [--rounds 3] [--old-front DIR]

--old-front DIR: a checkout of the hand-written front (`git worktree add /tmp/oldfront 2f78b01`), run with this
venv (which must still have httptools and uvloop) for the record. Needs wrk and nginx (Debian packages). Prints a
Markdown table and writes JSON to bench/results/.
"""

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT / "bench" / "wrk_json.lua"  # prints one JSON line per run


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, path="/", timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                if sock.recv(12).startswith(b"HTTP/1.1"):
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def wrk(port, path, seconds, encoding):
    # wrk gives up on an answer after 2 s by default; the dynamic server can take longer at 50 connections.
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c50",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-H",
            f"Accept-Encoding: {encoding}",
            "-s",
            str(WRK_SCRIPT),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if result["non2xx3xx"] or result["connect_err"] or result["timeouts"]:
        raise RuntimeError(f"errors in the run on port {port}{path}: {result}")
    return result


def cpu_seconds(master):
    """CPU time (user and system) of an nginx master's worker processes so far, from /proc. Dividing a run's share
    by its requests gives nginx's own cost per answer, steadier than requests per second on a machine that wrk
    and the servers share."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def nginx_conf(root, body):
    temp = " ".join(f"{name}_temp_path {root}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"worker_processes 2; pid {root}/nginx.pid; error_log {root}/error.log warn; daemon off;\n"
        f"events {{ worker_connections 4096; }}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; sendfile on; tcp_nopush on; "
        f"keepalive_requests 1000000; {temp}\n{body}\n}}\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old-front", type=Path, help="a checkout of commit 2f78b01 to measure beside")
    parser.add_argument("--no-dynamic", action="store_true", help="skip Wagtail rendering every request")
    args = parser.parse_args()
    data_dir = Path(os.environ["BULLETIN_DATA_DIR"]).resolve()
    public = data_dir / "public"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    story = next(
        p
        for p in sorted(public.iterdir())
        if (p / "index.html").is_file() and p.name not in ("page", "feed", "sections", "tags", "authors", "static")
    )
    paths = {"story": f"/{story.name}/", "news feed": "/", "news feed, share link": "/?utm_source=x&fbclid=y"}
    servers = ["serve", "nginx", "nginx-bulletin"] + (["old-front"] if args.old_front else [])

    ports = {name: free_port() for name in servers + ([] if args.no_dynamic else ["dynamic"])}
    processes = []
    work = Path(tempfile.mkdtemp(prefix="bench-read-"))
    try:
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bulletin",
                    "serve",
                    "--port",
                    str(ports["serve"]),
                    "--workers",
                    "2",
                    "--no-scheduler",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        if args.old_front:
            # Two front processes relaying misses to one granian app worker, as `serve` ran at 2f78b01.
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "bulletin",
                        "serve",
                        "--port",
                        str(ports["old-front"]),
                        "--workers",
                        "2",
                        "--no-scheduler",
                    ],
                    env={**env, "PYTHONPATH": str(args.old_front.resolve())},
                    cwd=args.old_front,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        # Plain nginx: the reference file server, serving the same files (gzip_static for the .gz variants).
        plain = work / "plain"
        plain.mkdir()
        (plain / "nginx.conf").write_text(
            nginx_conf(
                plain,
                (
                    f"server {{ listen 127.0.0.1:{ports['nginx']}; root {public}; gzip_static on; "
                    f"location / {{ try_files $uri $uri/index.html =404; }} }}"
                ),
            )
        )
        processes.append(subprocess.Popen(["nginx", "-p", str(plain), "-c", str(plain / "nginx.conf")]))
        masters = {"nginx": processes[-1].pid}
        # nginx with the configuration `bulletin nginx-config` prints, in front of `bulletin serve`.
        front = work / "front"
        front.mkdir()
        block = subprocess.run(
            [
                sys.executable,
                "-m",
                "bulletin",
                "nginx-config",
                "--listen",
                f"127.0.0.1:{ports['nginx-bulletin']}",
                "--upstream",
                f"127.0.0.1:{ports['serve']}",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (front / "nginx.conf").write_text(nginx_conf(front, block))
        processes.append(subprocess.Popen(["nginx", "-p", str(front), "-c", str(front / "nginx.conf")]))
        masters["nginx-bulletin"] = processes[-1].pid
        # Wagtail rendering every request: granian running the Django app, no public/ in the way.
        # In a session of its own: granian's workers outlived a terminated parent that was still answering.
        if not args.no_dynamic:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "granian",
                        "--interface",
                        "asginl",
                        "--port",
                        str(ports["dynamic"]),
                        "--workers",
                        "2",
                        "--log-level",
                        "warning",
                        "bulletin.asgi:application",
                    ],
                    env=env,
                    start_new_session=True,
                )
            )
        for name, port in ports.items():
            try:
                wait_for(port)
            except RuntimeError as error:
                raise RuntimeError(f"{name}: {error}") from None

        results = {}
        for label, path in paths.items():
            for encoding in ("gzip", "identity"):
                runs = {name: [] for name in servers}
                for _ in range(args.rounds):  # alternate, so drift in the machine's load hits all alike
                    for name in runs:
                        before = cpu_seconds(masters[name]) if name in masters else 0
                        run = wrk(ports[name], path, args.seconds, encoding)
                        if name in masters:
                            run["cpu_us_per_request"] = (cpu_seconds(masters[name]) - before) / run["requests"] * 1e6
                        runs[name].append(run)
                if not args.no_dynamic:
                    runs["dynamic"] = [wrk(ports["dynamic"], path, args.seconds, encoding)]
                results[f"{label} ({encoding})"] = {
                    name: {
                        "rps": statistics.median(r["rps"] for r in rs),
                        "p99_ms": statistics.median(r["p99_ms"] for r in rs),
                        "runs": rs,
                        "cpu_us": statistics.median(r.get("cpu_us_per_request", 0) for r in rs),
                    }
                    for name, rs in runs.items()
                }
    finally:
        for process in processes:
            try:  # the whole session: `serve` and its workers
                os.killpg(process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for process in processes:
            try:  # whatever is left of a session: the old front left its granian app running after SIGTERM
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": "-t2 -c50",
        "seconds": args.seconds,
        "rounds": args.rounds,
        "cpu_model": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "unknown",
        ),
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"read_path-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"machine": machine, "paths": paths, "results": results}, indent=1))
    names = [name for name in ("serve", "old-front", "nginx-bulletin", "dynamic") if name in ports]
    print("| page | nginx req/s (p99 ms) | " + " | ".join(f"{name} req/s (p99 ms) | ÷ nginx" for name in names) + " |")
    print("|---|---|" + "---|---|" * len(names))
    for label, r in results.items():
        n = r["nginx"]
        cells = [f"{r[name]['rps']:,.0f} ({r[name]['p99_ms']:.1f}) | {r[name]['rps'] / n['rps']:.2f}" for name in names]
        print(f"| {label} | {n['rps']:,.0f} ({n['p99_ms']:.1f}) | " + " | ".join(cells) + " |")
    print(f"\nraw results: {out}")


if __name__ == "__main__":
    main()
