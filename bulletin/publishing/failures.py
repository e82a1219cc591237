"""The error a publish reports when some of its URLs could not be written; its own module because the publisher
and its second process (second_process.py, which must not import the publisher) both raise and catch it."""


class PublishFailed(Exception):
    """Some URLs could not be published (``failures``: (url, error) pairs); the others are on disk and
    ``changed`` files changed."""

    def __init__(self, failures, changed=0):
        self.failures, self.changed = failures, changed
        url, error = failures[0]
        more = f" (and {len(failures) - 1} more URLs)" if len(failures) > 1 else ""
        super().__init__(f"{url}: {type(error).__name__}: {error}{more}")

    def __reduce__(self):  # build's worker processes send it back pickled; errors may not pickle, text does
        return PublishFailed, ([(url, RuntimeError(str(error))) for url, error in self.failures], self.changed)
