"""What the index stores and what a query asks for, in English, Ukrainian and Russian.

Both engines see text through the same three steps done here, so they agree:

- apostrophes: ', ’ and ʼ inside a Cyrillic word all become ʼ (U+02BC, a letter to both engines), so
  "м'ясо", "м’ясо" and "мʼясо" are one word; between Latin letters they stay separators ("Obama's" is
  "obama" and "s"), which is what English stemming expects;
- folding (PostgreSQL only; SQLite's unicode61 tokenizer does the same): case folded for every script
  (Є/є, І/і, Ї/ї, Ґ/ґ included), diacritics removed from Latin letters only, so "café" finds "cafe" while
  the Cyrillic letters й, ї, ё keep their identity (и and й are different letters);
- transliteration: Ukrainian (the official 2010 table) and Russian letters written in Latin, indexed in a
  column of its own, so "Kharkiv" finds "Харків" and "Kyiv" finds "Київ".
"""

import html
import re
import unicodedata

#: A query longer than this is cut (a search box has no use for more; the engines' cost grows with it).
MAX_QUERY_CHARS = 200
#: At most this many words of a query are searched for.
MAX_QUERY_WORDS = 12

_APOSTROPHES = "'’ʼ`"
_CYRILLIC = "\u0400-\u04ff"
_CYRILLIC_APOSTROPHE = re.compile(rf"(?<=[{_CYRILLIC}])[{_APOSTROPHES}](?=[{_CYRILLIC}])")
#: A word as both engines see it: letters and digits, with ʼ inside Cyrillic words.
WORD = re.compile(r"[^\W_]+(?:ʼ[^\W_]+)*")
#: A word as a reader sees it, any apostrophe inside.
_SHOWN_WORD = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*")

# Ukrainian: the Cabinet of Ministers' table of 2010 (resolution 55), the one road signs and passports use;
# the letters є, ї, й, ю, я are written ye, yi, y, yu, ya at the start of a word. Russian letters Ukrainian
# lacks follow the same spirit (ы y, э e, ё yo, ъ dropped).
_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
    "ʼ": "",
    "ы": "y",
    "э": "e",
    "ё": "io",
    "ъ": "",
}
_TRANSLIT_TABLE = str.maketrans(_TRANSLIT)
_TRANSLIT_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya", "ё": "yo"}
_HAS_CYRILLIC = re.compile(f"[{_CYRILLIC}]")
_SPACES = re.compile(r"[^\S ]")
#: Letters of the Latin blocks that may carry marks (below U+0250; Cyrillic keeps its й, ї, ё).
_LATIN_NON_ASCII = re.compile("[\u0080-\u024f]+")


def clean(value):
    """``value`` as text an engine accepts: NUL and other control characters gone, every kind of white space a
    plain space (both engines read them as one), apostrophes unified."""
    if not value:
        return ""
    # Two passes in C over the common case (text with nothing but spaces and line breaks); the per-character
    # loop only for text that holds control or format characters. It was 70% of the index build's time.
    value = _SPACES.sub(" ", value)
    if not value.isprintable():
        value = "".join(ch if ch.isprintable() else " " for ch in value)
    return _CYRILLIC_APOSTROPHE.sub("ʼ", value)


def fold(text):
    """The form both engines compare: case folded, Latin diacritics removed (the unicode61 rule)."""
    text = text.casefold()
    return text if text.isascii() else _LATIN_NON_ASCII.sub(_strip_marks, text)


def _strip_marks(match):
    return "".join(c for c in unicodedata.normalize("NFKD", match.group()) if not unicodedata.combining(c))


def transliterate(value):
    """The Cyrillic words of ``value`` in Latin letters (other words left out): "Харків" → "kharkiv"."""
    if not _HAS_CYRILLIC.search(value):
        return ""
    words = []
    for word in WORD.findall(value.lower()):
        if _HAS_CYRILLIC.search(word):
            words.append(
                _TRANSLIT_INITIAL.get(word[0], word[0].translate(_TRANSLIT_TABLE)) + word[1:].translate(_TRANSLIT_TABLE)
            )
    return " ".join(words)


class Query:
    """A reader's query as words to find, each a whole word or (the last one typed, for as-you-type) a prefix.

    Everything else a reader types is text, never syntax: quotes, ``*``, ``-``, ``OR``, ``NEAR``, parentheses
    and ``column:`` filters of the engines are dropped or searched as the words they contain.
    """

    def __init__(self, raw):
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        self.raw = clean(raw or "")[:MAX_QUERY_CHARS]
        found = WORD.findall(self.raw)[:MAX_QUERY_WORDS]
        self.words = [fold(w) for w in found]
        # The last word is a prefix while the reader is typing it (no space after it yet).
        self.prefix = bool(self.words) and not self.raw[-1:].isspace() and len(self.words[-1]) >= 3

    def __bool__(self):
        return bool(self.words)

    @property
    def text(self):
        """The query as shown back to the reader."""
        return self.raw.strip()

    def _terms(self):
        """(word, prefix or None) for each word: the prefix the word is also searched by, if any."""
        for i, word in enumerate(self.words):
            if self.prefix and i == len(self.words) - 1:
                yield word, cyrillic_stem(word) or word
            else:
                yield word, cyrillic_stem(word)

    def fts5(self):
        """An FTS5 MATCH expression: every word quoted (so none is an operator), some also as a prefix."""
        return " AND ".join(f'("{w}" OR "{p}"*)' if p else f'"{w}"' for w, p in self._terms())

    def tsquery(self):
        """A to_tsquery('simple') expression over the folded words (each single-quoted, so none is syntax)."""
        return " & ".join(f"('{w}' | '{p}':*)" if p else f"'{w}'" for w, p in self._terms())

    def plain(self):
        """The words for plainto_tsquery('english'), which stems them."""
        return " ".join(self.words)

    def roots(self):
        """Forms whose words to highlight: each word, cut to an English stem-like root."""
        return [cyrillic_stem(w) or _root(w) for w in self.words]


# Inflectional endings of Ukrainian and Russian nouns and adjectives, longest first. A word that ends in one is
# searched for as itself and as a prefix without it: "Харкова" finds "Харків"'s other cases through "Харк"…
# only when the stem is at least 4 letters, so that short words do not match half the archive.
_CYRILLIC_ENDINGS = sorted(
    """а я у ю і и е о ь ів їв ах ях ам ям ом ем ею ою ий ій ої ого ому ими ами ями ові еві
    ого его ому ему ых их ым им ую юю ая яя ое ее""".split(),
    key=len,
    reverse=True,
)
MIN_STEM = 4


def cyrillic_stem(word):
    """``word`` without its Ukrainian or Russian ending, or None (not Cyrillic, too short, no ending)."""
    if not _HAS_CYRILLIC.search(word):
        return None
    for ending in _CYRILLIC_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return None


_ENGLISH_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ies", "ied", "ed", "es", "er", "ly", "s")


def _root(word):
    if word.isascii():
        for suffix in _ENGLISH_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
    return word


def highlight(value, query):
    """``value`` as HTML, escaped, with the words that ``query`` matches wrapped in <mark>."""
    roots = tuple(query.roots()) if query else ()
    if not roots:
        return html.escape(value)
    out, last = [], 0
    for match in _SHOWN_WORD.finditer(value):
        shown = match.group()
        # An ASCII word needs neither cleaning nor transliteration: its folded form is its lower case. Most words
        # of an English page are, and this loop runs over the 20 headlines and summaries of every results page.
        if shown.isascii():
            found = shown.lower().startswith(roots)
        else:
            latin = transliterate(shown)
            found = fold(clean(shown)).startswith(roots) or bool(latin and latin.startswith(roots))
        if found:
            out.append(html.escape(value[last : match.start()]))
            out.append(f"<mark>{html.escape(shown)}</mark>")
            last = match.end()
    out.append(html.escape(value[last:]))
    return "".join(out)
