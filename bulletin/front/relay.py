"""How a worker hands a request that is not a file to one of the Django processes, and passes back the answer
(the protocol: django_processes.py)."""

import asyncio
import logging

from .app import send_plain
from .django_processes import END, read_message, write_message

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
    """An ASGI application that answers by relaying to the Django processes listening on the unix socket ``path``."""

    def __init__(self, path):
        self.path = path

    async def __call__(self, scope, receive, send):
        try:
            reader, writer = await asyncio.open_unix_connection(self.path)
        except OSError:  # no Django process listens (serve is stopping) or the kernel's queue is full
            logger.warning("no Django process accepted %s %s", scope["method"], scope["path"])
            return await send_plain(send, 503, UNAVAILABLE)
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
