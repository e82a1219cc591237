"""How a worker hands a request that is not a file to one of the Django processes, and passes back the answer
(the protocol: django_processes.py)."""

import asyncio
import logging
import socket

from .app import send_plain
from .django_processes import END, address, read_message, same_user, write_message

logger = logging.getLogger(__name__)

#: The scope keys Django reads; granian's scope holds others (and its headers are not a list).
SCOPE_KEYS = ("type", "asgi", "http_version", "server", "client", "scheme", "method", "root_path", "path")
SCOPE_KEYS += ("raw_path", "query_string")
UNAVAILABLE = b"The application is not available; try again shortly\n"
BAD_GATEWAY = b"The application stopped before it answered\n"


def plain_scope(scope):
    """The part of granian's ``scope`` that crosses the socket, as plain values."""
    plain = {key: scope[key] for key in SCOPE_KEYS if key in scope}
    plain["headers"] = [(bytes(name), bytes(value)) for name, value in scope["headers"]]
    return plain


class DjangoRelay:
    """An ASGI application that answers by relaying to the Django processes listening on the unix socket named
    ``name`` (django_processes.address)."""

    def __init__(self, name):
        self.address = address(name)

    async def __call__(self, scope, receive, send):
        # Connected here, then handed to asyncio: uvloop's open_unix_connection refuses an abstract name (EINVAL).
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(connection, self.address)
        except OSError:  # no Django process listens (serve is stopping) or the kernel's queue is full
            connection.close()
            logger.warning("no Django process accepted %s %s", scope["method"], scope["path"])
            return await send_plain(send, 503, UNAVAILABLE)
        if not same_user(connection):  # the request's cookies are for serve's own processes only
            connection.close()
            logger.error("the Django processes' socket is held by another user's process")
            return await send_plain(send, 503, UNAVAILABLE)
        reader, writer = await asyncio.open_unix_connection(sock=connection)
        write_message(writer, plain_scope(scope))
        forwarding = asyncio.ensure_future(_forward(receive, writer))
        started = False
        try:
            while True:
                try:
                    message = await read_message(reader)
                except (asyncio.IncompleteReadError, OSError):  # the Django process died mid-request
                    if not started:
                        await send_plain(send, 502, BAD_GATEWAY)
                    return
                if message["type"] == END["type"]:
                    return  # Django may have sent nothing (it gave up reading the body): the front answers then
                started = True
                await send(message)
        finally:
            forwarding.cancel()
            writer.close()


async def _forward(receive, writer):
    """Send what the client sends (the body, then its disconnect) to the Django process as it comes."""
    try:
        while True:
            message = await receive()
            write_message(writer, message)
            await writer.drain()
            if message["type"] == "http.disconnect":
                return
    except OSError:  # the Django process closed the connection: it has answered, or died
        return
