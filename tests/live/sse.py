"""A minimal server-sent events reader over a raw socket: what a browser's EventSource does, without a browser."""

import json
import socket
import time


class EventStream:
    def __init__(self, port, path="/live/", headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer, self.raw, self.chunked = b"", b"", False
        head = self._read_until(b"\r\n\r\n", time.monotonic() + 10)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        # granian frames a stream of unknown length in chunks (HTTP/1.1), which EventSource reads as one stream.
        self.chunked = self.headers.get("transfer-encoding") == "chunked"
        self.raw, self.buffer = self.buffer, b""
        self._dechunk()

    def _dechunk(self):
        """Move whole chunks from the bytes received to the stream's data."""
        if not self.chunked:
            self.buffer, self.raw = self.buffer + self.raw, b""
            return
        while b"\r\n" in self.raw:
            size_line, _, rest = self.raw.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            self.buffer += rest[:size]
            self.raw = rest[size + 2 :]

    def _read_until(self, marker, deadline):
        while marker not in self.buffer:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the stream")
            self.raw += chunk
            self._dechunk()
        found, _, self.buffer = self.buffer.partition(marker)
        return found

    def frames(self, timeout=15):
        """Yield each frame (a dict of its fields; comments under ":") until ``timeout`` seconds have passed."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                raw = self._read_until(b"\n\n", deadline)
            except TimeoutError:
                return
            fields = {}
            for line in raw.decode().split("\n"):
                name, _, value = line.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value
            yield fields

    def next_event(self, timeout=15, where=lambda event: True):
        """The next event (decoded data, with its id) that ``where`` accepts; None if none came in time."""
        for frame in self.frames(timeout):
            if "data" in frame:
                event = json.loads(frame["data"])
                assert str(event["id"]) == frame["id"]
                if where(event):
                    return event
        return None

    def close(self):
        self.sock.close()
