"""Which content coding a client accepts, with q-values (RFC 9110 §12.5.3): the front's files and Django's gzip."""

import pytest

from bulletin.web.content_coding import accepted_codings, choose_coding

BOTH = {None: b"", "br": b"", "gzip": b""}


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("gzip, deflate, br", "br"),  # browsers: equal q, brotli is smaller
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),  # q=0 refuses (RFC 9110 §12.5.3)
        ("br;q=0.0, gzip;q=0", None),
        ("gzip;q=1.0, br;q=0.5", "gzip"),  # the higher q wins
        ("*", "br"),
        ("*;q=0.5, gzip;q=0", "br"),  # "*" stands for the codings not named
        ("identity", None),
        ("gzip;q=0.5, identity", None),  # identity preferred
        ("identity;q=0, gzip;q=0.1", "gzip"),
        ("br;q=abc, gzip", "gzip"),  # a malformed q counts as 0
        ("br;q=2, gzip", "gzip"),  # out of range too
        ("", None),
        (None, None),
        ("GZIP", "gzip"),  # codings are case-insensitive
    ],
)
def test_the_coding_follows_the_q_values(accept, chosen):
    assert choose_coding(accept, BOTH) == chosen


def test_only_codings_with_a_variant_are_chosen():
    assert choose_coding("br, gzip", {None: b"", "gzip": b""}) == "gzip"
    assert choose_coding("br", {None: b"", "gzip": b""}) is None


def test_accepted_codings_reads_parameters():
    assert accepted_codings("gzip;q=0.3, br ; q=0.9, deflate") == {"gzip": 0.3, "br": 0.9, "deflate": 1.0}
