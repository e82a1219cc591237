"""A second process that renders one outbox entry while the publisher renders another.

A publish writes two entries: its pages, then its feeds and sitemaps, which take about as long again
(bench/README.md). Rendering is Python and holds the GIL, so a thread cannot overlap them; a process on the
other core can. The helper is started on the first publish and lives as long as the process that started it;
it renders URLs through the same Publisher code and tells how many files changed. The outbox stays with the
publisher: an entry is marked done only after the helper answered, so a crash of either process leaves it
pending for the replay. The helper holds the publisher's file lock (a descriptor of the same open file) while it
renders, so no other publisher can start before it is done, even if the process that started it died.
"""

import multiprocessing
import multiprocessing.util  # its exit handler, which stops the helper, must be registered first
import os
from multiprocessing import reduction


def _serve(connection, publisher_class):
    """The helper's main loop: (public folder, durable, urls) and the publisher's lock in; out, (files changed,
    None) or (files changed, why some URLs failed), or text when the helper itself failed.

    ``publisher_class`` is the dotted path of the Publisher (publisher.py), imported once Django is set up: the
    publisher imports this module, and this process starts with nothing loaded.
    """
    import django

    django.setup()
    from django.db import close_old_connections
    from django.utils.module_loading import import_string

    from .failures import PublishFailed

    make_publisher = import_string(publisher_class)
    publishers = {}
    while True:
        try:
            public_dir, durable, urls = connection.recv()
            lock = reduction.recv_handle(connection)
        except EOFError:  # the publisher's process is gone
            return
        publisher = publishers.setdefault(
            (public_dir, durable), make_publisher(public_dir, durable=durable, helper=False)
        )
        publisher.renderer.new_batch()
        try:
            answer = (publisher.publish_urls(urls), None)
        except PublishFailed as failure:  # the entry failed, not the helper: it stays pending, the helper usable
            answer = (failure.changed, str(failure))
        except Exception as error:  # sent as text: an exception may not survive pickling
            answer = f"{type(error).__name__}: {error}"
        finally:
            close_old_connections()
            # The publisher's lock, shared: if the publisher was killed meanwhile, the lock stayed held until
            # here, so a restarted publisher could not replay this entry while these files were being written.
            os.close(lock)
        try:
            connection.send(answer)
        except OSError:  # the publisher's process is gone
            return


class HelperFailed(Exception):
    """The helper could not render what it was given; the entry stays pending."""


class RenderingHelper:
    """The helper process of this process. Publishers take turns on it under the publisher lock."""

    def __init__(self, publisher_class):
        #: Dotted path of the class that renders in the helper, with (public_dir, durable=, helper=False).
        self.publisher_class = publisher_class
        self._process = self._connection = None
        self._owner = os.getpid()
        #: False after the helper failed once: this process then renders everything itself.
        self.usable = True

    def start(self, public_dir, durable, urls, lock):
        """Hand ``urls`` to the helper (started now if it is not running) with the file descriptor of the
        publisher's ``lock``, and return at once."""
        if self._owner != os.getpid():  # a forked copy of a process that had a helper: that one is not ours
            self._process = self._connection = None
            self._owner = os.getpid()
        if self._process is None or not self._process.is_alive():
            # spawn, not fork: the publisher runs in a thread of a threaded server, and a forked child could
            # inherit a lock that another thread held.
            context = multiprocessing.get_context("spawn")
            self._connection, child_end = context.Pipe()
            self._process = context.Process(
                target=_serve, args=(child_end, self.publisher_class), name="bulletin-publisher-helper", daemon=True
            )
            self._process.start()
            child_end.close()
        self._connection.send((str(public_dir), durable, urls))
        reduction.send_handle(self._connection, lock, self._process.pid)

    def finish(self):
        """Wait for the helper's answer: the number of files it changed and, if some URLs failed, why."""
        try:
            answer = self._connection.recv()
        except (EOFError, OSError) as error:
            self._fail()
            raise HelperFailed("the publisher's helper process ended") from error
        if isinstance(answer, str):
            self._fail()
            raise HelperFailed(f"the publisher's helper could not render: {answer}")
        return answer

    def _fail(self):
        self.usable = False
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._connection.close()
        self._process = self._connection = None
