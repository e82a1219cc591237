"""Highlighting of the words a query matched, in the forms a reader types them (bulletin/search/text.py)."""

import pytest

from bulletin.search.text import Query, highlight


@pytest.mark.parametrize(
    ("value", "query", "expected"),
    [
        ("Power restored in Kharkiv", "power", "<mark>Power</mark> restored in Kharkiv"),
        ("Power restored in Kharkiv", "RESTORED kharkiv", "Power <mark>restored</mark> in <mark>Kharkiv</mark>"),
        # English words are matched by a root: "restored" marks "restoration" too, as the stemmer finds it.
        ("Restoration of the grid", "restored", "<mark>Restoration</mark> of the grid"),
        # The last word typed is a prefix.
        ("Kherson and Kharkiv", "khar", "Kherson and <mark>Kharkiv</mark>"),
        # Latin letters find the Cyrillic word through its transliteration, and Cyrillic words by their stem.
        ("Харків без світла", "Kharkiv", "<mark>Харків</mark> без світла"),
        ("Світло у Харкові", "Харків", "Світло у <mark>Харкові</mark>"),
        ("Світло у Харкові", "Харкова ", "Світло у <mark>Харкові</mark>"),
        ("Світло у Харкові", "Kyiv", "Світло у Харкові"),
        # Capital Є, І, Ї, Ґ fold as their lower case, and the three apostrophes are one.
        ("ЇЖАК і Ґанок", "їжак ґанок", "<mark>ЇЖАК</mark> і <mark>Ґанок</mark>"),
        ("Ціна на м’ясо", "м'ясо", "Ціна на <mark>м’ясо</mark>"),
        # Latin diacritics are removed, as the engines do.
        ("A café in Lviv", "cafe", "A <mark>café</mark> in Lviv"),
        # Everything is escaped, matched or not.
        ("<b>Bold</b> & brave", "bold", "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; &amp; brave"),
        ("<script>alert(1)</script>", "script", "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"),
        ("Nothing here", "", "Nothing here"),
    ],
)
def test_highlight_marks_matched_words_and_escapes_the_rest(value, query, expected):
    assert highlight(value, Query(query)) == expected
