"""Reading time as docs/editing.md defines it: words at 275 a minute plus time for images.

Hand-written because the common implementation (a regular expression over Latin letters and the range
U+0410–U+04F9) splits Ukrainian words at Є, І and Ї, which lie below U+0410, and at apostrophes inside
words ("п'ять", "м’ясо"). Here a word is a run of Unicode letters or digits, joined by apostrophes or hyphens.
"""

import html
import math
import re

WORDS_PER_MINUTE = 275
#: Medium's rule for images: 12 seconds for the first, one second less for each next, never under 3.
FIRST_IMAGE_SECONDS = 12
MIN_IMAGE_SECONDS = 3

# ' (U+0027), ’ (U+2019) and ʼ (U+02BC, the Ukrainian apostrophe) join the parts of one word, as do hyphens.
_WORD = re.compile(r"[^\W_]+(?:['’ʼ\-‐][^\W_]+)*")


#: A tag of sanitized rich text. A regular expression, not an HTML parser, because only words are counted: at worst
#: a ">" inside an attribute's value adds a word of a link's address, and parsing each paragraph (Django's
#: strip_tags, or lxml) took 5% of a bulk import.
_TAG = re.compile(r"<[^>]*>")


def text_content(markup):
    """The text of the rich text ``markup``, for counting its words: tags left out, character references read."""
    return html.unescape(_TAG.sub(" ", markup))


def count_words(text):
    """Return the number of words in plain ``text``, in any script."""
    return len(_WORD.findall(text))


def image_seconds(image_count):
    """Return the seconds a reader spends on ``image_count`` images."""
    return sum(max(FIRST_IMAGE_SECONDS - i, MIN_IMAGE_SECONDS) for i in range(image_count))


def reading_minutes(word_count, image_count):
    """Return whole minutes, rounded, at least 1."""
    seconds = word_count * 60 / WORDS_PER_MINUTE + image_seconds(image_count)
    return max(1, math.floor(seconds / 60 + 0.5))
