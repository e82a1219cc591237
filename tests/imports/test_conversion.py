"""Post bodies converted ahead in a second process (imports/conversion.py): the records keep their order, each
HTML body gets the blocks the loader would have made, the export is still read a few chunks at a time, and a body
the worker cannot convert is left to the loader, which reports it against its post."""

import itertools

import pytest

from bulletin.imports import body, conversion, loader
from bulletin.imports.records import LIVE, Person, Post, Site

WORDPRESS_BODY = 'First line.\n\nSecond [caption id="1"]<img src="/a.jpg" alt="A"> A caption[/caption]\n\n<h2>Then</h2>'


def post(number, **fields):
    return Post(
        source_id=str(number), title=f"Post {number}", slug=f"post-{number}", state=LIVE, published_at=None, **fields
    )


def test_records_keep_their_order_and_each_html_body_gets_its_blocks():
    records = [Person("1", "Olena", "olena")]
    records += [post(n, body_html=f"<p>Body {n}</p>{WORDPRESS_BODY}") for n in range(450)]
    records += [post(999, body_blocks=[("paragraph", "<p>made by the reader</p>")])]
    out = list(conversion.ahead(iter(records), wordpress=True))
    assert out == records  # the same objects, in the same order
    for record in out[1:-1]:
        assert record.html_blocks == body.blocks_of_post(record.body_html, wordpress=True)
        assert record.html_blocks[0] == ("paragraph", f"<p>Body {record.source_id}</p>")
    assert out[-1].html_blocks is None  # Ghost's blocks, from the reader, are not sent to the worker


def test_the_export_is_read_only_a_few_chunks_ahead_of_the_loader():
    read = itertools.count()

    def endless():
        for n in itertools.count():
            next(read)
            yield post(n, body_html="<p>Text</p>")

    converted = conversion.ahead(endless(), wordpress=False)
    first = next(converted)
    assert first.html_blocks == [("paragraph", "<p>Text</p>")]
    assert next(read) <= (conversion.AHEAD + 1) * conversion.CHUNK + 1
    converted.close()  # the worker is stopped with the generator


def test_a_post_that_fails_in_the_worker_is_converted_again_by_the_loader(monkeypatch):
    def fails(body_html, wordpress):
        raise ValueError("unreadable body")

    assert conversion.convert(["<p>x</p>"], wordpress=False) == [[("paragraph", "<p>x</p>")]]
    monkeypatch.setattr(body, "blocks_of_post", fails)
    assert conversion.convert(["<p>x</p>"], wordpress=False) == [None]


def test_the_fingerprint_is_what_the_export_says_not_the_blocks_made_from_it():
    record = post(1, body_html="<p>Text</p>")
    before = record.fingerprint()
    record.html_blocks = [("paragraph", "<p>Text</p>")]
    assert record.fingerprint() == before


@pytest.mark.django_db
def test_a_body_the_worker_could_not_convert_is_reported_against_its_post(monkeypatch):
    """The worker leaves None; the loader converts the body itself, and its error names the post."""
    real = body.blocks_of_post

    def fails_on_poison(body_html, wordpress):
        if "poison" in body_html:
            raise ValueError("a body that cannot be read")
        return real(body_html, wordpress)

    monkeypatch.setattr(body, "blocks_of_post", fails_on_poison)  # in this process, and in the forked worker
    records = [Site("wordpress:https://old.example"), post(1, body_html="<p>fine</p>", where="line 10")]
    records.append(post(2, body_html="<p>poison</p>", where="line 20"))
    summary = loader.Loader(loader.Options()).run(records)
    assert summary.count("story", "created") == 1 and summary.count("story", "failed") == 1
    assert "line 20: ValueError: a body that cannot be read" in summary.table()
