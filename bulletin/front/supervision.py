"""The process tree of `bulletin serve` stays one healthy set: workers die with their parent, and a new `serve`
refuses a port that an old one (or its orphans) still holds.

granian binds one SO_REUSEPORT socket per worker, so without the probe in `ensure_port_free` a second server
on the same port would silently share its connections with the first.
"""

import ctypes
import errno
import os
import resource
import signal
import socket
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class PortTaken(RuntimeError):
    """HOST:PORT is held by another process; the message names the Bulletin processes holding it."""


def die_with_parent(parent_pid):
    """Have the kernel kill this process when its parent dies (Linux), and exit now if it already has.

    The signal is tied to the parent's thread that forked us: granian starts and respawns workers from its main
    thread, which lives as long as the server. ``parent_pid`` (a string, or None) is the pid this process was
    started under; the check after prctl closes the window between our start and the prctl call.
    """
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if parent_pid is not None and os.getppid() != int(parent_pid):
        os._exit(1)  # orphaned before the prctl: nobody would ever stop this worker


def raise_open_files_limit():
    """Raise this process's soft limit of open files to the hard limit (nginx's worker_rlimit_nofile): every
    connection is a descriptor, and the usual soft limit of 1,024 would refuse the 1,025th reader."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def ensure_port_free(host, port):
    """Raise PortTaken unless HOST:PORT can be bound by a socket that does not share (no SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # connections in TIME_WAIT do not count
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            holders = port_holders(port)
            ours = [(pid, serve_pid) for pid, _, serve_pid in holders if serve_pid is not None]
            if ours:
                servers = sorted({serve_pid for _, serve_pid in ours})
                live = [pid for pid in servers if Path(f"/proc/{pid}").exists()]
                whose = (
                    f"`bulletin serve` {', '.join(map(str, live))}"
                    if live
                    else f"orphaned workers of `bulletin serve` {', '.join(map(str, servers))}, which is gone"
                )
                pids = " ".join(str(pid) for pid, _ in ours)
                raise PortTaken(
                    f"{host}:{port} is still held by {whose} (worker pids {pids}): "
                    f"stop it (kill {' '.join(map(str, live)) or pids}) and start again"
                ) from None
            others = ", ".join(f"{pid} ({command})" for pid, command, _ in holders) or "another process"
            raise PortTaken(f"{host}:{port} is in use by {others}") from None


def port_holders(port):
    """``[(pid, command line, serve pid)]`` of the processes with a socket listening on TCP ``port``, from /proc
    (only the processes this user may look into). The serve pid is the `bulletin serve` a worker was started by
    (its BULLETIN_SERVE_PID), None for any other process."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{inode}]")
    holders = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if not any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in fds):
                continue
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        serve_pid = next((int(v.partition(b"=")[2]) for v in environ if v.startswith(b"BULLETIN_SERVE_PID=")), None)
        holders.append((int(pid), command.strip(), serve_pid))
    return holders
