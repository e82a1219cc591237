"""Ghost 2–4 bodies: mobiledoc 0.3 JSON, turned into story blocks (see body.py).

A mobiledoc is ``{"version": "0.3.1", "markups": […], "atoms": […], "cards": […], "sections": […]}``. Sections
are [1, tag, markers] (text), [2, src] (an old image section), [3, "ul"|"ol", items] (lists) and [10, card index]
(cards: image, bookmark, embed, html, markdown, gallery…). A marker is [0 text | 1 atom, indexes of markups it
opens, how many open markups it closes, value].
"""

import html
import json

from . import body, lexical

_TEXT_SECTION, _IMAGE_SECTION, _LIST_SECTION, _CARD_SECTION = 1, 2, 3, 10


def _markup_open(markup):
    tag = str(markup[0]).lower()
    if tag not in ("a", "strong", "b", "em", "i"):
        return "", ""
    if tag == "a":
        attributes = markup[1] if len(markup) > 1 else []
        pairs = dict(zip(attributes[::2], attributes[1::2], strict=False))
        return f'<a href="{html.escape(str(pairs.get("href", "")))}">', "</a>"
    return f"<{tag}>", f"</{tag}>"


def _markers(markers, markups, atoms):
    out, stack = [], []
    for marker in markers:
        kind, opens, closes, value = marker
        for index in opens:
            start, end = _markup_open(markups[index])
            out.append(start)
            stack.append(end)
        if kind == 0:
            out.append(html.escape(str(value)))
        else:
            name, text, _ = atoms[value]
            out.append("<br>" if name == "soft-return" else html.escape(str(text)))
        for _ in range(closes):
            out.append(stack.pop() if stack else "")
    out.extend(reversed(stack))
    return "".join(out)


def blocks_of(document):
    """The blocks of a mobiledoc (a JSON string or the parsed object)."""
    if isinstance(document, str):
        document = json.loads(document)
    markups, atoms, cards = document.get("markups", []), document.get("atoms", []), document.get("cards", [])
    found = []
    for section in document.get("sections", []):
        kind = section[0]
        if kind == _TEXT_SECTION:
            tag, content = str(section[1]).lower(), _markers(section[2], markups, atoms)
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                found.append(body.heading_block(lexical._plain_html(content)))
            elif tag in ("blockquote", "aside", "pull-quote"):
                text = lexical._plain_html(content)
                found.append(("quote", {"text": text, "attribution": ""}) if text else None)
            else:
                found.append(body.paragraph_block(f"<p>{content}</p>"))
        elif kind == _IMAGE_SECTION:
            found.append(body.image_block(section[1]))
        elif kind == _LIST_SECTION:
            tag = "ol" if section[1] == "ol" else "ul"
            items = "".join(f"<li>{_markers(item, markups, atoms)}</li>" for item in section[2])
            found.append(body.paragraph_block(f"<{tag}>{items}</{tag}>"))
        elif kind == _CARD_SECTION:
            name, payload = cards[section[1]]
            found += _card(name, payload or {})
    return [block for block in found if block is not None]


def _card(name, payload):
    """Mobiledoc cards carry the same fields as their lexical nodes, under slightly different names."""
    if name == "image":
        return lexical.node_blocks(
            {
                "type": "image",
                "src": payload.get("src", ""),
                "altText": payload.get("alt", ""),
                "caption": payload.get("caption", ""),
            }
        )
    if name == "embed":
        return lexical.node_blocks({"type": "embed", "url": payload.get("url", "")})
    if name == "code":
        return lexical.node_blocks({"type": "codeblock", "code": payload.get("code", "")})
    if name == "callout":
        return lexical.node_blocks({"type": "callout", "calloutText": payload.get("calloutText", "")})
    return lexical.node_blocks({"type": name, **payload})
