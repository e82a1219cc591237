"""Ghost 5–6 bodies: the lexical JSON of Ghost's Koenig editor, turned into story blocks (see body.py).

A lexical document is ``{"root": {"children": [node, …]}}``; text nodes carry a ``format`` bit mask (1 bold,
2 italic), links and list items hold children, and each Koenig card is a node with its own fields.
"""

import html
import json

import lxml.html

from . import body

_BOLD, _ITALIC = 1, 2


class NeedsHtml(ValueError):
    """The document holds something only Ghost renders (markdown): use the post's html instead."""


def inline(nodes):
    """The HTML of inline nodes (text, links, line breaks)."""
    out = []
    for node in nodes or ():
        kind = node.get("type")
        if kind in ("text", "extended-text", "tag", "hashtag"):
            text = html.escape(node.get("text", ""))
            style = node.get("format") or 0
            if style & _ITALIC:
                text = f"<em>{text}</em>"
            if style & _BOLD:
                text = f"<strong>{text}</strong>"
            out.append(text)
        elif kind == "linebreak":
            out.append("<br>")
        elif kind in ("link", "autolink"):
            out.append(f'<a href="{html.escape(node.get("url", ""))}">{inline(node.get("children"))}</a>')
        elif node.get("children"):
            out.append(inline(node.get("children")))
    return "".join(out)


def _plain(nodes):
    return " ".join(
        body.lxml.html.fragment_fromstring(inline(nodes) or " ", create_parent="div").text_content().split()
    )


def _list(node):
    tag = "ol" if node.get("listType") == "number" else "ul"
    items = "".join(
        f"<li>{inline(item.get('children'))}</li>"
        for item in node.get("children", ())
        if item.get("type") == "listitem"
    )
    return f"<{tag}>{items}</{tag}>"


def blocks_of(document):
    """The blocks of a lexical document (a JSON string or the parsed object)."""
    if isinstance(document, str):
        document = json.loads(document)
    found = []
    for node in document["root"].get("children", ()):
        found += node_blocks(node)
    return [block for block in found if block is not None]


def node_blocks(node):
    kind = node.get("type")
    if kind == "paragraph":
        return [body.paragraph_block(f"<p>{inline(node.get('children'))}</p>")]
    if kind in ("heading", "extended-heading"):
        return [body.heading_block(_plain(node.get("children")))]
    if kind == "list":
        return [body.paragraph_block(_list(node))]
    if kind in ("quote", "aside", "extended-quote"):
        text = _plain(node.get("children"))
        return [("quote", {"text": text, "attribution": ""})] if text else []
    if kind == "image":
        caption = _plain_html(node.get("caption", ""))
        # Ghost's image card (kg-default-nodes) names its alt text "alt"; Lexical's own image node "altText".
        alt = node.get("alt") or node.get("altText") or ""
        return [body.image_block(node.get("src", ""), alt=alt, caption=caption)]
    if kind == "gallery":
        return [
            body.image_block(image.get("src", ""), alt=image.get("alt", ""), caption=_plain_html(image.get("caption")))
            for image in node.get("images", ())
            if image.get("src")
        ]
    if kind == "bookmark":
        metadata = node.get("metadata") or {}
        return [
            body.link_card_block(
                node.get("url", ""),
                title=metadata.get("title") or "",
                description=metadata.get("description") or "",
                image_url=metadata.get("thumbnail") or "",
                publisher=metadata.get("publisher") or metadata.get("author") or "",
            )
        ]
    if kind == "embed":
        return [("embed", {"url": node.get("url", "")})] if node.get("url") else []
    if kind == "html":
        return body.blocks_from_html(node.get("html", ""))
    if kind == "markdown":
        raise NeedsHtml("a markdown card")
    if kind == "codeblock":
        return [body.paragraph_block(f"<p>{html.escape(line)}</p>") for line in node.get("code", "").split("\n")]
    if kind == "callout":
        return body.blocks_from_html(node.get("calloutText", ""))
    if kind == "toggle":
        return [
            body.heading_block(_plain_html(node.get("heading", ""))),
            *body.blocks_from_html(node.get("content", "")),
        ]
    if kind in ("video", "audio", "file") and node.get("src"):
        return [("embed", {"url": node["src"]})]
    return []  # horizontal rules, buttons, sign-up forms, paywall markers: nothing to carry over


def _plain_html(markup):
    if not markup:
        return ""
    return " ".join(lxml.html.fragment_fromstring(markup, create_parent="div").text_content().split())
