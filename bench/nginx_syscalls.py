"""System calls per request of plain nginx and of nginx with Bulletin's generated config, serving the same page.

Guards against: the documented nginx front doing more work per file than a bare file server (the read-path
target is ≥ 0.95× plain nginx). On a shared 2-core machine wrk's req/s of two nginx configurations differ by
±10% from run to run, which hides a difference of that size; the number of system calls per request does not
vary. Each server runs under `strace -f -c` (one worker, no master), answers N and then 5·N keep-alive requests
in two runs, and the difference of the totals divided by 4·N is the count per request, start-up excluded.

    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/bulletin build
    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/python bench/nginx_syscalls.py [--requests 500]

Needs nginx and strace (Debian packages). Prints a Markdown table.
"""

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from read_path import free_port, wait_for


def nginx_conf(root, server_block):
    temp = " ".join(f"{name}_temp_path {root}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"master_process off; daemon off; worker_processes 1; pid {root}/nginx.pid; "
        f"error_log {root}/error.log warn;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; sendfile on; tcp_nopush on; "
        f"keepalive_requests 1000000; {temp}\n{server_block}\n}}\n"
    )


def ask(port, path, count, encoding):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(count):
        connection.request("GET", path, headers={"Accept-Encoding": encoding})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
    connection.close()


def syscalls(server_block, path, count, encoding):
    """Total system calls of one nginx process that started, answered ``count`` requests and stopped."""
    root = Path(tempfile.mkdtemp(prefix="bench-syscalls-"))
    port = free_port()
    (root / "nginx.conf").write_text(nginx_conf(root, server_block.replace("PORT", str(port))))
    summary = root / "strace.txt"
    process = subprocess.Popen(
        ["strace", "-f", "-c", "-o", str(summary), "nginx", "-p", str(root), "-c", str(root / "nginx.conf")]
    )
    try:
        wait_for(port, path, timeout=60)
        ask(port, path, count, encoding)
    finally:
        os.kill(int((root / "nginx.pid").read_text()), signal.SIGQUIT)
        process.wait(timeout=60)
    return int(re.search(r"^\s*[\d.]+\s+[\d.]+\s+\d*\s+(\d+)\s+\d*\s*total$", summary.read_text(), re.M).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    data_dir = Path(os.environ["BULLETIN_DATA_DIR"]).resolve()
    public = data_dir / "public"
    story = next(
        p
        for p in sorted(public.iterdir())
        if (p / "index.html").is_file() and p.name not in ("page", "feed", "sections", "tags", "authors", "static")
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    bulletin = subprocess.run(
        [sys.executable, "-m", "bulletin", "nginx-config", "--listen", "127.0.0.1:PORT", "--upstream", "127.0.0.1:9"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    servers = {
        "plain nginx": (
            f"server {{ listen 127.0.0.1:PORT; root {public}; gzip_static on; "
            f"location / {{ try_files $uri $uri/index.html =404; }} }}"
        ),
        "nginx + Bulletin config": bulletin,
    }
    print("| page (Accept-Encoding) | " + " | ".join(f"{name}: system calls per request" for name in servers) + " |")
    print("|---|" + "---|" * len(servers))
    for label, path in (("story", f"/{story.name}/"), ("News Feed", "/")):
        for encoding in ("identity", "gzip"):
            counts = [
                (syscalls(block, path, 5 * args.requests, encoding) - syscalls(block, path, args.requests, encoding))
                / (4 * args.requests)
                for block in servers.values()
            ]
            print(f"| {label} ({encoding}) | " + " | ".join(f"{count:.1f}" for count in counts) + " |")


if __name__ == "__main__":
    main()
