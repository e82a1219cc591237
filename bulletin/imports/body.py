"""A story body from the HTML of an export: paragraphs, headings, lists, quotes, images, link cards, embeds.

Bodies become a list of (block type, value) pairs, the blocks of newsroom/blocks.py with URLs where images will
be (the loader brings the images in): ``paragraph`` (HTML, through the same nh3 sanitizer as every paragraph),
``heading`` (text), ``quote`` ({text, attribution}), ``image`` ({src, alt, caption, credit}), ``link_card``
({url, title, description, image_url, publisher}) and ``embed`` ({url}). WordPress's [caption] and [embed]
shortcodes, its classic posts' blank-line paragraphs and Gutenberg's block markup are understood here; Ghost's
cards (in its HTML, mobiledoc or lexical) become the same pairs.

Written on lxml.html because no library turns arbitrary HTML into these blocks; lxml parses HTML as browsers do.
"""

import html
import re

import lxml.html
from lxml import etree

from bulletin.newsroom.blocks import sanitize_html

HEADING_MAX, CAPTION_MAX, ALT_MAX, CREDIT_MAX = 120, 300, 250, 120
CARD_TITLE_MAX, CARD_DESCRIPTION_MAX, PUBLISHER_MAX = 200, 400, 120

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LISTS = {"ul", "ol"}
_CONTAINERS = {"div", "section", "article", "main", "header", "footer", "aside", "center", "details", "body", "html"}
_DROPPED = {"script", "style", "noscript", "form", "input", "button", "select", "textarea", "svg", "math", "template"}
_DROPPED |= {"object", "embed", "head", "title", "meta", "link", "canvas", "source", "track"}
#: Blockquotes that are embed markup (X, Instagram, TikTok, Telegram) rather than quotations.
_EMBED_QUOTES = re.compile(r"twitter-tweet|instagram-media|tiktok-embed|telegram|threads|bluesky", re.I)
#: A tag of sanitized markup (whose attribute values nh3 has escaped).
_TAG = re.compile(r"<[^>]*>")
_URL_ALONE = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$")

# WordPress shortcodes (wp-includes/media.php): [caption …]<img …> Text[/caption], [embed]URL[/embed].
_CAPTION = re.compile(r"\[(?:caption|wp_caption)([^\]]*)\](.*?)\[/(?:caption|wp_caption)\]", re.S | re.I)
_EMBED_SHORTCODE = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S | re.I)
_MEDIA_SHORTCODE = re.compile(
    r"\[(?:video|audio)[^\]]*?\b(?:src|mp4|mp3|url)=[\"']([^\"']+)[\"'][^\]]*\](?:\[/(?:video|audio)\])?", re.I
)
_DROPPED_SHORTCODE = re.compile(r"\[/?(?:gallery|playlist|video|audio)\b[^\]]*\]", re.I)
_BLOCK_START = re.compile(
    r"^\s*<(?:(?:p|h[1-6]|ul|ol|li|blockquote|figure|div|table|pre|hr|section|iframe|dl|address)\b|!--)", re.I
)


def _caption_figure(match):
    attributes, inner = match.group(1), match.group(2)
    caption_attribute = re.search(r"\bcaption=[\"']([^\"']*)[\"']", attributes)
    # The caption is what follows the image (or its link) inside the shortcode, or its caption="" attribute.
    parts = re.split(r"(<img\b[^>]*>(?:\s*</a>)?)", inner, maxsplit=1, flags=re.I)
    if len(parts) == 3:
        image, caption = parts[0] + parts[1], parts[2]
    else:
        image, caption = inner, ""
    if caption_attribute and not caption.strip():
        caption = html.escape(caption_attribute.group(1))
    return f"\n\n<figure>{image}<figcaption>{caption.strip()}</figcaption></figure>\n\n"


def _autop(text):
    """WordPress's classic editor stores paragraphs as blank lines (wpautop adds <p> when the page is shown)."""
    chunks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    out = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        if _BLOCK_START.match(chunk):
            out.append(chunk)
        elif _URL_ALONE.match(chunk):
            out.append(f'<figure class="wp-block-embed">{html.escape(chunk.strip())}</figure>')  # WordPress oEmbed
        else:
            out.append("<p>" + chunk.strip().replace("\n", "<br>") + "</p>")
    return "\n".join(out)


def wordpress_html(text):
    """The HTML of a WordPress post's content:encoded, with its shortcodes and classic paragraphs made plain."""
    text = _CAPTION.sub(_caption_figure, text or "")
    text = _EMBED_SHORTCODE.sub(lambda m: f'\n\n<figure class="wp-block-embed">{m.group(1).strip()}</figure>\n\n', text)
    text = _MEDIA_SHORTCODE.sub(lambda m: f'\n\n<figure class="wp-block-embed">{m.group(1).strip()}</figure>\n\n', text)
    text = _DROPPED_SHORTCODE.sub("", text)
    if "<!-- wp:" in text:
        return text  # block editor content is HTML already, its blocks delimited by comments
    return _autop(text)


def blocks_of_post(body_html, wordpress):
    """The blocks of a post's HTML body; ``wordpress`` for WordPress's (shortcodes, blank-line paragraphs)."""
    return blocks_from_html(wordpress_html(body_html) if wordpress else body_html)


def blocks_from_html(text):
    """The blocks of an HTML fragment (see the module's docstring)."""
    if not text or not text.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError):
        return [("paragraph", f"<p>{html.escape(text)}</p>")]
    converter = _Converter()
    converter.walk(root)
    converter.flush()
    return converter.blocks


def _text(element):
    return " ".join(element.text_content().split()) if element is not None else ""


def _classes(element):
    return element.get("class") or ""


def _find(element, class_name):
    found = element.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {class_name} ')]")
    return found[0] if found else None


def image_block(src, alt="", caption="", credit=""):
    return (
        "image",
        {"src": src, "alt": alt[:ALT_MAX], "caption": caption[:CAPTION_MAX], "credit": credit[:CREDIT_MAX]},
    )


def link_card_block(url, title="", description="", image_url="", publisher=""):
    return (
        "link_card",
        {
            "url": url,
            "title": (title or url)[:CARD_TITLE_MAX],
            "description": description[:CARD_DESCRIPTION_MAX],
            "image_url": image_url,
            "publisher": publisher[:PUBLISHER_MAX],
        },
    )


def heading_block(text):
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > HEADING_MAX:  # too long for a heading: keep every word, in bold
        return ("paragraph", f"<p><b>{html.escape(text)}</b></p>")
    return ("heading", text)


def paragraph_block(markup):
    """A paragraph from HTML, sanitized; None if nothing readable is left."""
    clean = sanitize_html(markup).strip()
    if not html.unescape(_TAG.sub("", clean)).strip():  # tags only (<p><br></p>): nothing to read
        return None
    if not clean.startswith(("<p>", "<ul>", "<ol>")):
        clean = f"<p>{clean}</p>"
    return ("paragraph", clean)


class _Converter:
    def __init__(self):
        self.blocks = []
        self.pending = []  # HTML pieces of the paragraph being gathered from inline content

    def add(self, block):
        if block is not None:
            self.flush()
            self.blocks.append(block)

    def flush(self):
        if self.pending:
            block = paragraph_block("".join(self.pending))
            self.pending = []
            if block:
                self.blocks.append(block)

    def inline(self, markup):
        if markup:
            self.pending.append(markup)

    def walk(self, container):
        self.inline(html.escape(container.text or ""))
        for child in container:
            self.element(child)
            self.inline(html.escape(child.tail or ""))

    def element(self, element):
        if not isinstance(element.tag, str):
            return  # comments (Gutenberg's <!-- wp:… --> block delimiters) and processing instructions
        tag = element.tag.lower()
        if tag in _DROPPED:
            return
        if tag == "p":
            self.paragraph(element)
        elif tag in _HEADINGS:
            self.add(heading_block(_text(element)))
        elif tag in _LISTS:
            self.lists(element)
        elif tag == "blockquote":
            self.blockquote(element)
        elif tag == "figure":
            self.figure(element)
        elif tag == "img":
            self.image(element)
        elif tag in ("iframe", "video", "audio"):
            src = element.get("src") or next((s.get("src") for s in element.iter("source") if s.get("src")), "")
            if src:
                self.add(("embed", {"url": src}))
        elif tag in ("pre", "table", "dl"):
            self.flush()
            for line in element.text_content().split("\n") if tag == "pre" else self.rows(element):
                self.add(paragraph_block(f"<p>{html.escape(line)}</p>") if line.strip() else None)
        elif tag == "hr" or (tag == "br" and not self.pending):
            self.flush()
        elif tag in _CONTAINERS or tag == "li":
            if "kg-bookmark-card" in _classes(element) or "wp-block-embed" in _classes(element):
                return self.figure(element)
            self.flush()
            self.walk(element)
            self.flush()
        elif element.xpath(".//img"):
            self.paragraph(element)  # an image inside a link or span: the image, then the words
        else:
            self.inline(lxml.html.tostring(element, encoding="unicode", with_tail=False))

    def rows(self, element):
        rows = element.xpath(".//tr") or element.xpath("./*")
        return [" · ".join(_text(cell) for cell in row if isinstance(cell.tag, str)) for row in rows] or [
            _text(element)
        ]

    def paragraph(self, element):
        images = element.xpath(".//img")
        if images:
            for image in images:
                self.image(image)
                parent = image.getparent()
                if parent.tag == "a" and not _text(parent):
                    parent.drop_tree()
                else:
                    image.drop_tree()
            if not _text(element):
                return
        inner = html.escape(element.text or "") + "".join(
            lxml.html.tostring(child, encoding="unicode") for child in element
        )
        self.add(paragraph_block(f"<p>{inner}</p>"))

    def lists(self, element):
        self.add(paragraph_block(lxml.html.tostring(element, encoding="unicode", with_tail=False)))

    def blockquote(self, element):
        if _EMBED_QUOTES.search(_classes(element)):
            links = [a.get("href") for a in element.iter("a") if (a.get("href") or "").startswith("http")]
            if links:
                return self.add(("embed", {"url": links[-1]}))
        attribution = ""
        for cite in element.xpath(".//cite|.//footer"):
            attribution = attribution or _text(cite)
            cite.drop_tree()
        paragraphs = [_text(p) for p in element.xpath(".//p")] or [_text(element)]
        text = "\n\n".join(p for p in paragraphs if p)
        if text:
            self.add(("quote", {"text": text, "attribution": attribution[:200]}))

    def figure(self, element):
        classes = _classes(element)
        if "kg-bookmark-card" in classes or "wp-embed" in classes or "is-type-wp-embed" in classes:
            link = next((a for a in element.iter("a") if a.get("href")), None)
            if link is not None:
                thumbnail = _find(element, "kg-bookmark-thumbnail")
                image = thumbnail.find(".//img") if thumbnail is not None else None
                publisher = _find(element, "kg-bookmark-publisher")
                if publisher is None:
                    publisher = _find(element, "kg-bookmark-author")
                return self.add(
                    link_card_block(
                        link.get("href"),
                        title=_text(_find(element, "kg-bookmark-title")) or _text(link),
                        description=_text(_find(element, "kg-bookmark-description")),
                        image_url=image.get("src") if image is not None else "",
                        publisher=_text(publisher),
                    )
                )
        frame = next(iter(element.iter("iframe")), None)
        if frame is not None and frame.get("src"):
            return self.add(("embed", {"url": frame.get("src")}))
        if "wp-block-embed" in classes or "kg-embed-card" in classes:
            url = _URL_ALONE.match(_text(element.find(".//div") if element.find(".//div") is not None else element))
            quote_links = [a.get("href") for a in element.iter("a") if (a.get("href") or "").startswith("http")]
            if url or quote_links:
                return self.add(("embed", {"url": url.group(1) if url else quote_links[-1]}))
        images = element.xpath(".//img")
        if images:
            caption = element.find(".//figcaption")
            caption_text = _text(caption)
            for number, image in enumerate(images):
                self.image(image, caption=caption_text if number == len(images) - 1 else "")
            return
        self.flush()
        self.walk(element)
        self.flush()

    def image(self, element, caption=""):
        src = element.get("src") or element.get("data-src") or ""
        if src:
            self.add(image_block(src, alt=element.get("alt") or "", caption=caption))
