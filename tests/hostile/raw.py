"""Raw HTTP/1.1 over sockets and a look at the server's processes, for requests no well-behaved client sends."""

import os
import re
import socket
import time

HOST = "127.0.0.1"


def connect(port, timeout=10):
    return socket.create_connection((HOST, port), timeout=timeout)


def send(sock, data):
    """Send ``data``; False when the server closed or reset the connection first (a refusal, for these tests)."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def receive(sock, timeout=10, until=None, limit=64 * 1024 * 1024):
    """Read until the server closes, ``timeout`` seconds pass, or ``until(data)`` is true.

    Returns (data, closed): closed is True when the server ended the connection (FIN or reset).
    """
    data, deadline = b"", time.monotonic() + timeout
    while len(data) < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return data, False
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
        if until is not None and until(data):
            return data, False
    return data, False


def exchange(port, data, timeout=10, methods=None):
    """Send ``data`` on a new connection and parse what comes back until the server closes or ``timeout``.

    Returns (responses, closed, raw).
    """
    with connect(port, timeout) as sock:
        send(sock, data)
        raw, closed = receive(sock, timeout)
    return parse_responses(raw, methods), closed, raw


class Response:
    """One parsed response: status, headers (lowercased names; a repeated header keeps its last value), body."""

    def __init__(self, status, headers, body, header_lines):
        self.status, self.headers, self.body, self.header_lines = status, headers, body, header_lines

    def __repr__(self):
        return f"<Response {self.status} {len(self.body)} bytes>"


def parse_responses(raw, methods=None):
    """Every complete response in ``raw``, in order (a 1xx interim answer counts as one).

    ``methods`` lists the method of each request in order, so that the answer to a HEAD is read without a body.
    """
    responses, methods = [], list(methods or [])
    while raw:
        end = raw.find(b"\r\n\r\n")
        if end < 0 or not raw.startswith(b"HTTP/"):
            break
        lines = raw[:end].decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers, header_lines = {}, []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
            header_lines.append((name.strip().lower(), value.strip()))
        rest = raw[end + 4 :]
        head = status < 200 or (status >= 200 and methods and methods[0] == "HEAD")
        if status >= 200 and methods:
            methods.pop(0)
        if head or status in (204, 304):
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body, rest = _dechunk(rest)
            if body is None:
                break
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if len(rest) < length:
                break
            body, rest = rest[:length], rest[length:]
        else:
            body, rest = rest, b""
        responses.append(Response(status, headers, body, header_lines))
        raw = rest
    return responses


def _dechunk(data):
    body = b""
    while True:
        line_end = data.find(b"\r\n")
        if line_end < 0:
            return None, data
        size = int(data[:line_end].split(b";")[0], 16)
        data = data[line_end + 2 :]
        if size == 0:
            trailer_end = data.find(b"\r\n")
            while trailer_end > 0:  # trailer fields, then the empty line
                data = data[trailer_end + 2 :]
                trailer_end = data.find(b"\r\n")
            return (body, data[2:]) if trailer_end == 0 else (None, data)
        if len(data) < size + 2:
            return None, data
        body, data = body + data[:size], data[size + 2 :]


def get(path, host="127.0.0.1", close=False, **headers):
    """The bytes of a GET request for ``path`` (header names from keyword arguments: Accept_Encoding=…)."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# The server's processes, read from /proc (Linux).


def children(pid):
    """The pids of every process below ``pid``."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    # The command name in parentheses may hold spaces: the parent pid is the second field after it.
                    parents[int(entry)] = int(stat.read().rpartition(")")[2].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                found.append(child)
                frontier.append(child)
    return found


def alive(pid):
    """True while ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def rss_bytes(pids):
    """The resident memory of ``pids`` together (VmRSS in /proc/<pid>/status); gone processes count 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                match = re.search(r"^VmRSS:\s+(\d+) kB", status.read(), re.MULTILINE)
        except (FileNotFoundError, ProcessLookupError):
            continue
        if match:
            total += int(match.group(1)) * 1024
    return total


def listening_pids(port, among):
    """The pids in ``among`` that hold a socket listening on ``port`` (found through /proc/net/tcp* and fds)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                        inodes.add(fields[9])
        except FileNotFoundError:
            pass
    holders = []
    for pid in among:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        links = []
        for fd in fds:
            try:
                links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except (FileNotFoundError, ProcessLookupError):
                pass
        if any(link.startswith("socket:[") and link[8:-1] in inodes for link in links):
            holders.append(pid)
    return holders
