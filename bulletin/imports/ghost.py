"""Read a Ghost export (Settings → Import/Export → Export content), Ghost 2 to 6, streaming.

The export is ``{"db": [{"meta": {…}, "data": {"posts": […], "tags": […], "posts_tags": […], "users": […],
"posts_authors": […], "posts_meta": […], …}}]}`` (the oldest ones have no "db" wrapper). Ghost writes the posts
before the tables that say who wrote them and how they are tagged, so the file is read twice with ijson, one
event at a time: the first pass keeps those small tables (and is where a malformed or truncated file fails,
before anything is written), the second builds one post at a time and yields it. Tables holding secrets
(users' password hashes and e-mail addresses, api_keys, sessions, settings, members) are never built into
objects: the fields a record uses are picked by name, the members and comments are only counted.
"""

import datetime
import io

import ijson
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from . import lexical, mobiledoc
from .records import DRAFT, LIVE, SCHEDULED, ExportError, Person, Post, Site, Skipped, Term

#: The tables read in the first pass.
_KEPT = ("tags", "posts_tags", "users", "posts_authors", "posts_meta")
#: Tables counted and skipped, with the reason shown.
_COUNTED = {
    "members": "members are not imported",
    "comments": "comments are not imported",
    "newsletters": "newsletters are not imported",
}
#: The fields a user record may give; anything else (password, email, tokens) is never copied.
_USER_FIELDS = ("id", "name", "slug", "bio", "profile_image", "website", "twitter", "facebook", "location")
#: Ghost statuses → ours. "sent" posts went out by e-mail only and were never public on the web.
_STATES = {"published": (LIVE, ""), "scheduled": (SCHEDULED, ""), "draft": (DRAFT, ""), "sent": (DRAFT, "e-mail only")}


class _Counting(io.RawIOBase):
    """A file that counts the bytes read, so an error can say how far into the file it is."""

    def __init__(self, file):
        self.file, self.position = file, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


def _events(path):
    """ijson's (prefix, event, value) with the "db.item." wrapper taken off, and errors that say where."""
    with open(path, "rb") as raw:
        counting = _Counting(raw)
        try:
            for prefix, event, value in ijson.parse(io.BufferedReader(counting, 65536), use_float=True):
                if prefix.startswith("db.item."):
                    prefix = prefix[8:]
                yield prefix, event, value
        except ijson.JSONError as error:
            raise ExportError(f"{path}: not a readable Ghost export near byte {counting.position:,}: {error}") from None


def _tables(path, wanted):
    """Yield (table, record) for each record of the ``wanted`` tables; count the records of _COUNTED tables."""
    builder = table = None
    counts = dict.fromkeys(_COUNTED, 0)
    seen_data = False
    for prefix, event, value in _events(path):
        if builder is not None:
            if prefix == f"data.{table}.item" and event == "end_map":
                builder.event(event, value)
                yield table, builder.value
                builder = None
            else:
                builder.event(event, value)
            continue
        if prefix == "data" and event == "map_key":
            table, seen_data = value, True
        elif event == "start_map" and table and prefix == f"data.{table}.item":
            if table in wanted:
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
            elif table in counts:
                counts[table] += 1
    if not seen_data:
        raise ExportError(f"{path}: not a Ghost export: no “data” object with posts")
    for table, count in counts.items():
        if count:
            yield "counted", (table, count)


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, int | float):  # the oldest exports wrote milliseconds since 1970
        return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.UTC)
    parsed = parse_datetime(str(value).replace(" ", "T"))
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _one_line(value, limit):
    return " ".join(str(value or "").split())[:limit]


class _Catalogue:
    def __init__(self):
        self.tags, self.users = {}, {}
        self.post_tags, self.post_authors, self.meta = {}, {}, {}
        self.counted = []


def _read_catalogue(path):
    catalogue = _Catalogue()
    for table, record in _tables(path, _KEPT):
        if table == "counted":
            catalogue.counted.append(record)
        elif table == "tags":
            catalogue.tags[record.get("id")] = record
        elif table == "users":
            catalogue.users[record.get("id")] = {field: record.get(field) for field in _USER_FIELDS}
        elif table == "posts_tags":
            catalogue.post_tags.setdefault(record.get("post_id"), []).append(
                (record.get("sort_order") or 0, record.get("tag_id"))
            )
        elif table == "posts_authors":
            catalogue.post_authors.setdefault(record.get("post_id"), []).append(
                (record.get("sort_order") or 0, record.get("author_id"))
            )
        elif table == "posts_meta":
            catalogue.meta[record.get("post_id")] = {
                key: record.get(key)
                for key in ("meta_title", "meta_description", "feature_image_alt", "feature_image_caption")
            }
    return catalogue


def _is_internal(tag):
    return tag.get("visibility") == "internal" or str(tag.get("name", "")).startswith("#")


def _person(user):
    links = [
        (label, url)
        for label, url in (
            ("Website", user.get("website")),
            ("X", f"https://x.com/{str(user['twitter']).lstrip('@')}" if user.get("twitter") else ""),
            ("Facebook", f"https://www.facebook.com/{user['facebook']}" if user.get("facebook") else ""),
        )
        if url
    ]
    name = _one_line(user.get("name"), 120) or _one_line(user.get("slug"), 120) or "Unknown author"
    slug = (slugify(str(user.get("slug") or name), allow_unicode=True) or "author")[:120]
    return Person(
        source_id=str(user.get("id")),
        name=name,
        slug=slug,
        old_paths=[f"/author/{user.get('slug')}/"] if user.get("slug") else [],
        bio=str(user.get("bio") or "")[:1000],
        avatar_url=str(user.get("profile_image") or ""),
        links=links,
    )


def read(path):
    """Yield the export's Site, then its Person, Term and Skipped records, then its Posts (see records.py)."""
    catalogue = _read_catalogue(path)
    yield Site(source="ghost")
    for user in catalogue.users.values():
        yield _person(user)
    primary_ids, secondary_ids = set(), set()
    for pairs in catalogue.post_tags.values():
        public = [tag_id for _, tag_id in sorted(pairs, key=lambda pair: pair[0]) if tag_id in catalogue.tags]
        public = [tag_id for tag_id in public if not _is_internal(catalogue.tags[tag_id])]
        if public:
            primary_ids.add(public[0])
            secondary_ids.update(public[1:])
    internal = 0
    for tag_id, tag in catalogue.tags.items():
        if _is_internal(tag):
            internal += 1
            continue
        fields = {
            "source_id": str(tag_id),
            "name": _one_line(tag.get("name"), 80) or str(tag.get("slug")),
            "slug": (slugify(str(tag.get("slug") or tag.get("name") or ""), allow_unicode=True) or "tag")[:80],
            "description": str(tag.get("description") or "")[:500],
            # A tag that is some posts' primary tag is a section: /tag/<slug>/ goes to the section's page.
            "old_paths": [f"/tag/{tag.get('slug')}/"] if tag.get("slug") else [],
        }
        if tag_id in primary_ids:
            yield Term(kind="section", **fields)
        if tag_id in secondary_ids or tag_id not in primary_ids:
            yield Term(kind="tag", **fields)
    if internal:
        yield Skipped("tag", "internal #tags are not shown", internal)
    for table, count in catalogue.counted:
        yield Skipped(table.rstrip("s"), _COUNTED[table], count)
    number = 0
    for table, post in _tables(path, ("posts",)):
        if table != "posts":
            continue
        number += 1
        record = _post(post, catalogue, number)
        if record is not None:
            yield record


def _post(post, catalogue, number):
    post_id = str(post.get("id"))
    where = f"post {number} (id {post_id})"
    if post.get("type", "page" if post.get("page") else "post") != "post":
        return Skipped("page", "Bulletin has no page type")
    status = post.get("status") or "draft"
    if status not in _STATES:
        return Skipped("story", f"status “{status}”")
    state, hidden = _STATES[status]
    visibility = post.get("visibility") or "public"
    if state != DRAFT and visibility != "public":
        state, hidden = DRAFT, f"{visibility}-only"
    tag_ids = [
        tag_id
        for _, tag_id in sorted(catalogue.post_tags.get(post.get("id"), []), key=lambda pair: pair[0])
        if tag_id in catalogue.tags and not _is_internal(catalogue.tags[tag_id])
    ]
    author_ids = [a for _, a in sorted(catalogue.post_authors.get(post.get("id"), []), key=lambda pair: pair[0])]
    if not author_ids and post.get("author_id"):  # Ghost 2 and earlier: one author on the post itself
        author_ids = [post.get("author_id")]
    meta = catalogue.meta.get(post.get("id"), {})
    try:
        blocks = lexical.blocks_of(post.get("lexical")) if post.get("lexical") else None
        if blocks is None and post.get("mobiledoc"):
            blocks = mobiledoc.blocks_of(post.get("mobiledoc"))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        blocks = None
        if not post.get("html"):
            raise ExportError(f"{where}: its body cannot be read: {error}") from None
    slug = slugify(str(post.get("slug") or ""), allow_unicode=True) or slugify(
        str(post.get("title") or ""), allow_unicode=True
    )
    return Post(
        source_id=post_id,
        title=str(post.get("title") or ""),
        slug=slug,
        state=state,
        hidden_reason=hidden,
        published_at=_date(post.get("published_at")),
        updated_at=_date(post.get("updated_at")),
        excerpt=str(post.get("custom_excerpt") or ""),
        body_html=str(post.get("html") or ""),
        body_blocks=blocks,
        feature_image_url=str(post.get("feature_image") or ""),
        feature_image_alt=str(meta.get("feature_image_alt") or post.get("feature_image_alt") or ""),
        feature_image_caption=str(meta.get("feature_image_caption") or post.get("feature_image_caption") or ""),
        author_ids=[str(a) for a in dict.fromkeys(author_ids)],
        section_id=str(tag_ids[0]) if tag_ids else "",
        tag_ids=[str(t) for t in tag_ids[1:]],
        canonical_url=str(post.get("canonical_url") or ""),
        meta_title=str(meta.get("meta_title") or post.get("meta_title") or ""),
        meta_description=str(meta.get("meta_description") or post.get("meta_description") or ""),
        old_paths=[f"/{post.get('slug')}/"] if post.get("slug") else [],
        where=where,
    )
