"""Run a coroutine to the end from a test, whatever the main thread is doing.

The browser tests keep Playwright's sync API open for the whole session, and it runs an event loop in the main
thread, so a plain ``asyncio.run()`` in a test collected after them fails ("cannot be called from a running event
loop"). A thread of its own always has no loop.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run(coroutine):
    """``asyncio.run(coroutine)`` in a new thread; returns its result or raises its exception."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()
