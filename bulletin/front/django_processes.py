"""The Django processes of `bulletin serve`: everything that is not a file or /live/ is answered here, at a lower
CPU priority than the workers that serve files.

Why apart: a worker that ran Django's views in its own thread answered files only when the view let go of the
GIL, so 20 clients searching cut a published file's read rate to a hundredth (bench/search_read_rate.py). A
process of its own cannot hold the workers' GIL, and its niceness (BULLETIN_DJANGO_NICE) tells the kernel to give
the CPU to the workers first when both want it.

    serve's main process   DjangoProcesses: binds the unix socket, starts BULLETIN_DJANGO_PROCESSES children,
                           starts them again when they die, stops them after granian's workers
    each child             `python -m bulletin.front.django_processes FD`: niced, dies with serve, accepts
                           relayed requests (relay.py) on the inherited socket and runs Django's ASGI application

The children share one listening socket, so the kernel hands each connection to a child that is accepting; a child
holds at most CONCURRENT_REQUESTS at once and leaves the rest in the queue for the others.

The protocol, ASGI over the unix socket: a connection carries one request. Each frame is a 4-byte length and one
ASGI message in `marshal` form (dicts, lists, tuples, bytes, str, int, bool and None: all that an HTTP scope and
its messages hold; the fastest codec of the standard library). The worker (relay.py) sends the scope, then every
message its ``receive`` gives (the body, then the client's disconnect); the Django process sends the messages of
Django's answer, then ``relay.end`` once Django's application has returned. marshal trusts its input, so each end
checks that the other runs as the same user (the kernel's SO_PEERCRED) before it reads or writes a message.

The socket's address: on Linux, a name in the abstract namespace ("@bulletin-django-" and a random part, see
`address`): it is not a file, so no cleaner of /tmp can remove it from under a `serve` that runs for months, and
it goes away with its last process. Elsewhere, a file in a private temporary folder (mode 0700).

This module imports nothing of Django's at the top: a child is tied to `serve` before it spends a second loading
Django.
"""

import asyncio
import logging
import marshal
import os
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

logger = logging.getLogger(__name__)

#: Requests one Django process works on at once (each in a thread of its own: views wait on the database).
CONCURRENT_REQUESTS = 8
#: Seconds between looks at whether a child died, and the longest wait before starting one that keeps dying.
WATCH_INTERVAL = 0.5
MAX_RESTART_DELAY = 30.0

LENGTH = struct.Struct("!I")
END = {"type": "relay.end"}
PEER_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid


def address(name):
    """What socket.bind and connect take for ``name``: "@…" names the abstract namespace (a leading NUL byte,
    which an environment variable cannot hold), anything else is a path."""
    return "\0" + name[1:] if name.startswith("@") else name


def same_user(connection):
    """Whether the process at the other end of the unix socket ``connection`` runs as this process's user."""
    if not hasattr(socket, "SO_PEERCRED"):  # not Linux: the socket's private folder keeps other users out
        return True
    _, uid, _ = PEER_CREDENTIALS.unpack(
        connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEER_CREDENTIALS.size)
    )
    return uid == os.getuid()


def write_message(writer, message):
    data = marshal.dumps(message)
    writer.write(LENGTH.pack(len(data)) + data)


async def read_message(reader):
    """The next message; raises asyncio.IncompleteReadError when the other side closed the connection."""
    (length,) = LENGTH.unpack(await reader.readexactly(LENGTH.size))
    return marshal.loads(await reader.readexactly(length))


class DjangoProcesses:
    """The children that run Django, listening on the unix socket named ``self.name`` (see `address`)."""

    def __init__(self, count, nice, backlog):
        self.count, self.nice = count, nice
        if sys.platform == "linux":
            self.folder = None
            self.name = f"@bulletin-django-{os.getpid()}-{secrets.token_hex(8)}"
        else:
            self.folder = tempfile.mkdtemp(prefix="bulletin-django-")  # mode 0700: no other user can connect
            self.name = os.path.join(self.folder, "django.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(address(self.name))
        self.listener.listen(backlog)
        self.children = []
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self.watch, name="django-processes", daemon=True)

    def start(self):
        """Start the children. They load Django while granian's workers do, at normal priority (a niced start
        took minutes on a loaded machine); requests that come first wait in the socket's queue."""
        self.children = [self.spawn() for _ in range(self.count)]
        self.watcher.start()

    def spawn(self):
        fd = self.listener.fileno()
        return subprocess.Popen(
            [sys.executable, "-m", __name__, str(fd), str(self.nice)],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            # A session of its own is a scheduling group of its own where Linux groups sessions (autogroup)
            # or where it runs as its own service: sharing the workers' group, busy Django processes made the
            # whole group look CPU-bound, so a worker woken by a request waited for the group's next turn.
            start_new_session=True,
        )

    def watch(self):
        """Start again every child that died, waiting longer each time one dies soon after its start."""
        delays = [0.0] * self.count
        started = [time.monotonic()] * self.count
        while not self.stopping.wait(WATCH_INTERVAL):
            for number, child in enumerate(self.children):
                if child.poll() is None:
                    continue
                lived = time.monotonic() - started[number]
                delays[number] = (
                    0.0 if lived > MAX_RESTART_DELAY else min(max(1.0, 2 * delays[number]), MAX_RESTART_DELAY)
                )
                logger.error(
                    "Django process %s exited (%s) after %.1f s; starting another in %.0f s",
                    child.pid,
                    child.returncode,
                    lived,
                    delays[number],
                )
                if self.stopping.wait(delays[number]):
                    return
                self.children[number], started[number] = self.spawn(), time.monotonic()

    def stop(self):
        """Stop the children (after the workers, which relay to them, have stopped) and remove the socket."""
        self.stopping.set()
        if self.watcher.is_alive():
            self.watcher.join()
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.listener.close()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


# What runs in each child.


async def serve_relayed(listener, application, concurrent=CONCURRENT_REQUESTS):
    """Accept relayed requests on ``listener`` and answer each with ``application``, ``concurrent`` at most."""
    loop = asyncio.get_running_loop()
    listener.setblocking(False)
    slots = asyncio.Semaphore(concurrent)
    running = set()
    while True:
        await slots.acquire()
        connection, _ = await loop.sock_accept(listener)
        task = asyncio.ensure_future(answer(connection, application))
        running.add(task)
        task.add_done_callback(running.discard)
        task.add_done_callback(lambda _: slots.release())


async def answer(connection, application):
    """Run ``application`` for the one request on ``connection``."""
    if not same_user(connection):
        logger.warning("refused a connection to the Django processes from another user")
        connection.close()
        return
    reader, writer = await asyncio.open_connection(sock=connection)
    inbox = asyncio.Queue()

    async def pump():
        try:
            while True:
                message = await read_message(reader)
                inbox.put_nowait(message)
                if message["type"] == "http.disconnect":
                    return
        except (asyncio.IncompleteReadError, OSError):  # the worker is gone: so is the client
            inbox.put_nowait({"type": "http.disconnect"})

    async def send(message):
        write_message(writer, message)
        await writer.drain()

    pumping = None
    try:
        scope = await read_message(reader)
        pumping = asyncio.ensure_future(pump())
        await application(scope, inbox.get, send)
        await send(END)
    except (asyncio.IncompleteReadError, OSError):
        pass  # the worker left, and with it the client
    except Exception:
        logger.exception("the relayed request failed")  # the worker answers 502
    finally:
        if pumping is not None:
            pumping.cancel()
        writer.close()


def lower_priority(nice):
    """Make this process and its session's scheduling group (Linux's autogroup) ``nice``."""
    try:
        with open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(str(nice))
    except OSError:  # not Linux, or autogroup is off: the niceness of the process alone then
        pass
    os.nice(nice)


def main(fd, nice):
    from .supervision import die_with_parent

    die_with_parent(os.environ.get("BULLETIN_SERVE_PID"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
    from bulletin.asgi import application

    lower_priority(nice)
    listener = socket.socket(fileno=fd)
    asyncio.run(serve_relayed(listener, application))


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
