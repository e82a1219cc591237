"""The pure request functions of the front: 304 and single byte ranges."""

import pytest

from bulletin.front.negotiation import UNSATISFIABLE, byte_range, if_range_matches, not_modified

ETAGS = {'"abc"', '"abc-gzip"'}


@pytest.mark.parametrize(
    ("inm", "ims", "expected"),
    [
        ('"abc"', None, True),
        ('W/"abc-gzip"', None, True),  # weak comparison for GET (RFC 9110 §13.1.2)
        ('"x", "abc"', None, True),
        ("*", None, True),
        ('"other"', "Sun, 01 Jan 2090 00:00:00 GMT", False),  # If-None-Match wins over If-Modified-Since
        (None, "Thu, 01 Jan 1970 00:16:40 GMT", True),  # mtime 1000 == since
        (None, "Thu, 01 Jan 1970 00:16:39 GMT", False),
        (None, "not a date", False),
        (None, None, False),
    ],
)
def test_conditional_requests(inm, ims, expected):
    assert not_modified(inm, ims, ETAGS, mtime=1000) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=10-", (10, 99)),
        ("bytes=-10", (90, 99)),  # a suffix: the last ten bytes
        ("bytes=-1000", (0, 99)),
        ("bytes=90-1000", (90, 99)),  # cut to the end of the file
        ("bytes=100-", UNSATISFIABLE),
        ("bytes=-0", UNSATISFIABLE),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file, as nginx does by default
        ("bytes=9-0", None),  # invalid: ignored
        ("items=0-9", None),
        ("bytes=a-b", None),
        ("bytes=-", None),
        (None, None),
    ],
)
def test_single_byte_ranges(header, expected):
    assert byte_range(header, 100) == expected


def test_if_range_keeps_a_range_only_for_the_same_file():
    assert if_range_matches(None, '"abc"', "Sun, 29 Nov 2026 10:00:00 GMT")
    assert if_range_matches('"abc"', '"abc"', "Sun, 29 Nov 2026 10:00:00 GMT")
    assert not if_range_matches('"old"', '"abc"', "Sun, 29 Nov 2026 10:00:00 GMT")
    assert if_range_matches("Sun, 29 Nov 2026 10:00:00 GMT", '"abc"', "Sun, 29 Nov 2026 10:00:00 GMT")
    assert not if_range_matches("Sat, 28 Nov 2026 10:00:00 GMT", '"abc"', "Sun, 29 Nov 2026 10:00:00 GMT")
