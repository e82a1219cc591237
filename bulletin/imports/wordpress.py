"""Read a WordPress export (WXR 1.0, 1.1 and 1.2: Tools → Export), streaming, with no entity expansion.

WXR is RSS 2.0 with WordPress's own elements (namespace http://wordpress.org/export/1.x/). The file is read
twice with defusedxml's iterparse, one element at a time, each ``<item>`` dropped once read: the first pass
takes the authors, categories, tags and attachments (a post's featured image is an attachment that may come
after it), the second yields the posts. A file that is malformed or truncated fails the first pass, before
anything is written. defusedxml refuses any DOCTYPE, so no entity (billion laughs) or external entity (XXE)
is ever expanded or fetched.
"""

import datetime
import re
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils import timezone
from django.utils.text import slugify

from .records import DRAFT, LIVE, SCHEDULED, ExportError, Person, Post, Site, Skipped, Term

#: Namespace URIs → the prefixes WordPress's exporter (wp-admin/includes/export.php) writes. The wp namespace
#: carries the WXR version (…/export/1.0/ to …/1.2/); its excerpt namespace too (…/export/1.2/excerpt/).
_PREFIXES = (
    ("http://purl.org/rss/1.0/modules/content/", "content"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
    ("http://wellformedweb.org/CommentAPI/", "wfw"),
)
_WXR = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/(excerpt/)?$")

#: post_type values that are content; attachments are read in the first pass; the rest are counted and skipped.
POST, PAGE, ATTACHMENT = "post", "page", "attachment"
#: WordPress statuses: what each becomes here, and the reason shown when it is not what the old site showed.
_STATES = {
    "publish": (LIVE, ""),
    "future": (SCHEDULED, ""),
    "draft": (DRAFT, ""),
    "pending": (DRAFT, ""),
    "private": (DRAFT, "private"),
}


def _name(tag):
    """'{http://wordpress.org/export/1.2/}post_id' → 'wp:post_id'; 'title' → 'title'."""
    if tag[0] != "{":
        return tag
    uri, local = tag[1:].split("}", 1)
    match = _WXR.match(uri)
    if match:
        return f"{'excerpt' if match.group(1) else 'wp'}:{local}"
    for known, prefix in _PREFIXES:
        if uri == known:
            return f"{prefix}:{local}"
    return f"?:{local}"  # an element of a plugin's namespace: ignored


def _children(element):
    """{name: text} of an element's simple children (the first of each name)."""
    found = {}
    for child in element:
        found.setdefault(_name(child.tag), (child.text or "").strip() if child.tag != "content" else child.text)
    return found


def _text(element, name):
    for child in element:
        if _name(child.tag) == name:
            return child.text or ""
    return ""


def _elements(path):
    """Yield (name, element) for each child of <channel>, each dropped from memory once the caller has it."""
    channel = None
    count = 0
    try:
        for event, element in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if element.tag == "channel":
                    channel = element
                continue
            if channel is not None and element in channel:
                count += 1
                yield _name(element.tag), element
                channel.remove(element)
    except ParseError as error:
        line, column = error.position
        raise ExportError(f"{path}: not a readable WordPress export: line {line}, column {column}: {error}") from None
    except DefusedXmlException as error:
        raise ExportError(f"{path}: refused: {error} (entities and DTDs are never read)") from None
    if channel is None:
        raise ExportError(f"{path}: not a WordPress export: no <rss><channel>")


def _parse_date(value, gmt):
    """A WXR date ('2019-03-04 10:20:30'); post_date_gmt is UTC, post_date the site's time (read in ours)."""
    value = (value or "").strip()
    if not value or value.startswith("0000"):
        return None
    try:
        parsed = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return parsed.replace(tzinfo=datetime.UTC) if gmt else timezone.make_aware(parsed)


def _date(fields, name):
    return _parse_date(fields.get(f"wp:{name}_gmt"), gmt=True) or _parse_date(fields.get(f"wp:{name}"), gmt=False)


def _slug(value, fallback):
    # WordPress keeps non-Latin slugs percent-encoded (%d0%bd%d0%be…).
    return slugify(unquote(value or ""), allow_unicode=True) or slugify(fallback, allow_unicode=True)


def _path_of(url):
    return urlsplit(url).path if url else ""


class Catalogue:
    """What the first pass learns: the site, its authors and terms, and its attachments."""

    def __init__(self):
        self.site = None
        self.people = {}
        self.terms = []
        #: Attachment post ID → (url, caption, alt).
        self.attachments = {}
        self.version = ""


def _read_catalogue(path):
    catalogue = Catalogue()
    site_url = title = ""
    for name, element in _elements(path):
        if name == "link":
            site_url = (element.text or "").strip()
        elif name == "wp:base_blog_url":
            site_url = (element.text or "").strip() or site_url
        elif name == "wp:wxr_version":
            catalogue.version = (element.text or "").strip()
        elif name == "title":
            title = element.text or ""
        elif name == "wp:author":
            fields = _children(element)
            login = fields.get("wp:author_login", "")
            display = " ".join((fields.get("wp:author_display_name") or login).split())  # one line
            catalogue.people[login] = Person(
                source_id=fields.get("wp:author_id") or login,
                name=display[:120],
                slug=_slug(login, display)[:120],
                old_paths=[f"/author/{_slug(login, display)}/"],
            )
        elif name == "wp:category":
            fields = _children(element)
            slug = _slug(fields.get("wp:category_nicename"), fields.get("wp:cat_name", ""))[:80]
            catalogue.terms.append(
                Term(
                    kind="section",
                    source_id=slug,  # posts name their categories by slug (<category nicename="…">)
                    name=" ".join(fields.get("wp:cat_name", "").split())[:80],
                    slug=slug,
                    description=fields.get("wp:category_description", "")[:500],
                    old_paths=[f"/category/{slug}/"],
                )
            )
        elif name == "wp:tag":
            fields = _children(element)
            slug = _slug(fields.get("wp:tag_slug"), fields.get("wp:tag_name", ""))[:80]
            catalogue.terms.append(
                Term(
                    kind="tag",
                    source_id=slug,
                    name=" ".join(fields.get("wp:tag_name", "").split())[:80],
                    slug=slug,
                    description=fields.get("wp:tag_description", "")[:500],
                    old_paths=[f"/tag/{slug}/"],
                )
            )
        elif name == "item" and _text(element, "wp:post_type") == ATTACHMENT:
            meta = _postmeta(element)
            catalogue.attachments[_text(element, "wp:post_id").strip()] = (
                _text(element, "wp:attachment_url").strip() or _text(element, "guid").strip(),
                _text(element, "excerpt:encoded").strip(),
                meta.get("_wp_attachment_image_alt", "").strip(),
            )
    catalogue.site = Site(source=f"wordpress:{site_url.rstrip('/')}", url=site_url)
    catalogue.title = title
    return catalogue


def _postmeta(item):
    meta = {}
    for child in item:
        if _name(child.tag) == "wp:postmeta":
            fields = _children(child)
            meta.setdefault(fields.get("wp:meta_key", ""), fields.get("wp:meta_value", ""))
    return meta


#: SEO plugins' fields for the meta title and description (Yoast, then Rank Math).
_META_TITLE_KEYS = ("_yoast_wpseo_title", "rank_math_title")
_META_DESCRIPTION_KEYS = ("_yoast_wpseo_metadesc", "rank_math_description")
_CANONICAL_KEYS = ("_yoast_wpseo_canonical", "rank_math_canonical_url")
#: A template of the plugin rather than text: Yoast's %%title%% %%sep%% %%sitename%%, Rank Math's %title%.
_SEO_VARIABLE = re.compile(r"%%?[a-z_]+%%?")


def _seo_field(meta, keys):
    """The first of the plugin fields ``keys`` that is set and is text (a template is left out: its variables
    would show as they are)."""
    return next((meta[key].strip() for key in keys if meta.get(key) and not _SEO_VARIABLE.search(meta[key])), "")


def read(path):
    """Yield the export's Site, then its Person, Term and Skipped records, then its Posts (see records.py)."""
    catalogue = _read_catalogue(path)
    yield catalogue.site
    yield from catalogue.people.values()
    yield from catalogue.terms
    people_seen = set(catalogue.people)
    terms_seen = {(term.kind, term.slug) for term in catalogue.terms}
    number = 0
    for name, element in _elements(path):
        if name != "item":
            continue
        number += 1
        fields = _children(element)
        post_type = fields.get("wp:post_type", POST)
        comments = sum(1 for child in element if _name(child.tag) == "wp:comment")
        if comments:
            yield Skipped("comment", "comments are not imported", comments)
        if post_type == ATTACHMENT:
            continue
        if post_type == PAGE:
            yield Skipped("page", "Bulletin has no page type")
            continue
        if post_type != POST:
            yield Skipped(post_type, "not a post (menus, blocks and other types are not imported)")
            continue
        status = fields.get("wp:status", "draft")
        if status not in _STATES:
            yield Skipped("story", f"status “{status}” (trash and auto-drafts are not imported)")
            continue
        state, hidden = _STATES[status]
        if fields.get("wp:post_password"):
            state, hidden = DRAFT, "password-protected"
        post_id = fields.get("wp:post_id", "")
        title = fields.get("title") or ""
        meta = _postmeta(element)
        section_id, tag_ids, extra = "", [], []
        for child in element:
            if child.tag != "category":
                continue
            domain, nicename = child.get("domain"), child.get("nicename")
            if not domain or nicename is None:
                continue  # WXR 1.0 repeats each category without its domain
            kind = {"category": "section", "post_tag": "tag", "tag": "tag"}.get(domain)  # "tag" in WXR 1.0
            if kind is None:
                continue
            slug = _slug(nicename, child.text or "")[:80]
            if (kind, slug) not in terms_seen:  # a term used but not listed in the channel (1.0, or an edit)
                terms_seen.add((kind, slug))
                name = " ".join((child.text or slug).split())[:80]
                old = f"/{'category' if kind == 'section' else 'tag'}/{slug}/"
                yield Term(kind=kind, source_id=slug, name=name, slug=slug, old_paths=[old])
            if kind == "section" and not section_id:
                section_id = slug
            elif kind == "section":
                extra.append(slug)  # further categories of a post are kept as tags of the same name
            else:
                tag_ids.append(slug)
        for slug in extra:
            if ("tag", slug) not in terms_seen:
                terms_seen.add(("tag", slug))
                section = next((t for t in catalogue.terms if t.kind == "section" and t.slug == slug), None)
                yield Term(kind="tag", source_id=slug, name=section.name if section else slug, slug=slug)
        creator = fields.get("dc:creator", "")
        if creator and creator not in people_seen:  # WXR 1.0 has no author list
            people_seen.add(creator)
            slug = _slug(creator, "author")
            person = Person(
                source_id=creator, name=" ".join(creator.split())[:120], slug=slug, old_paths=[f"/author/{slug}/"]
            )
            catalogue.people[creator] = person
            yield person
        thumbnail = catalogue.attachments.get(meta.get("_thumbnail_id", "").strip())
        link = fields.get("link", "")
        published = _date(fields, "post_date")
        slug = _slug(fields.get("wp:post_name"), title)
        old_paths = [_path_of(link), f"/?p={post_id}"]
        if published:
            old_paths += [f"/{published:%Y/%m}/{slug}/", f"/{published:%Y/%m/%d}/{slug}/"]
        yield Post(
            source_id=post_id,
            title=title,
            slug=slug,
            state=state,
            hidden_reason=hidden,
            published_at=published,
            updated_at=_date(fields, "post_modified"),
            excerpt=_text(element, "excerpt:encoded"),
            body_html=_text(element, "content:encoded"),
            feature_image_url=thumbnail[0] if thumbnail else "",
            feature_image_caption=thumbnail[1] if thumbnail else "",
            feature_image_alt=thumbnail[2] if thumbnail else "",
            author_ids=[catalogue.people[creator].source_id] if creator else [],
            section_id=section_id,
            tag_ids=[*tag_ids, *extra],
            canonical_url=_seo_field(meta, _CANONICAL_KEYS),
            meta_title=_seo_field(meta, _META_TITLE_KEYS),
            meta_description=_seo_field(meta, _META_DESCRIPTION_KEYS),
            old_paths=[p for p in old_paths if p],
            where=f"item {number} (post ID {post_id})",
        )
