"""What to send for a request to a file: 304 and byte ranges (the content coding: web/content_coding.py). Pure
functions over header values.

Each follows RFC 9110 (sections cited) the way nginx reads the same headers, so the two fronts answer alike.
"""

import email.utils


def not_modified(if_none_match, if_modified_since, etags, mtime):
    """Whether a GET may be answered 304 (RFC 9110 §13.1.2, §13.1.3): If-None-Match, else If-Modified-Since."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}  # weak comparison
        return "*" in tags or not tags.isdisjoint(etags)
    if if_modified_since is not None:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        return since is not None and mtime <= since.timestamp()
    return False


#: byte_range's answer when no byte of the file is in the range: 416 Range Not Satisfiable.
UNSATISFIABLE = "unsatisfiable"


def byte_range(range_header, size):
    """The ``(first, last)`` byte positions (inclusive) of a single-range request (RFC 9110 §14.1.2), None to
    send the whole file, or UNSATISFIABLE.

    Like nginx: only a single range is honoured (several, or a malformed header, get the whole file with 200),
    a suffix range ("-500") is the end of the file, and a last position past the end is cut to it.
    """
    if range_header is None:
        return None
    unit, _, spec = range_header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    first, last = first.strip(), last.strip()
    if not (first.isdigit() or first == "") or not (last.isdigit() or last == "") or first == last == "":
        return None
    if first == "":  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return UNSATISFIABLE
        return max(0, size - length), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: ignored (RFC 9110 §14.1.1)
    if start >= size:
        return UNSATISFIABLE
    return start, min(int(last), size - 1) if last else size - 1


def if_range_matches(if_range, etag, last_modified):
    """Whether a Range request's If-Range (RFC 9110 §13.1.5) still names this file: its strong ETag or its exact
    Last-Modified; otherwise the whole file is sent."""
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith('"'):
        return if_range == etag
    return if_range == last_modified
