"""What the readers of exports yield: plain records, the same for Ghost and WordPress, which loader.py writes.

A reader streams its file and yields, in this order: one Site, then every Person, Term and Skipped, then every
Post. Bodies stay as the export has them (``body_html``, or ``body_blocks`` already made from Ghost's
mobiledoc or lexical) until the loader converts them.
"""

import dataclasses
import datetime
import hashlib
import json


class ExportError(ValueError):
    """The export cannot be read: malformed, truncated or hostile. The message names the item or line."""


@dataclasses.dataclass
class Site:
    #: Names the site in ImportedObject.source ("wordpress:https://example.org", "ghost").
    source: str
    #: The old site's address, to tell its own links (and images) from others.
    url: str = ""


@dataclasses.dataclass
class Person:
    """An author of the old site: a profile here, never a login."""

    source_id: str
    name: str
    slug: str
    bio: str = ""
    job_title: str = ""
    avatar_url: str = ""
    links: list = dataclasses.field(default_factory=list)  # [(label, url)]
    #: Paths of its page on the old site (each gets a permanent redirect to its page here).
    old_paths: list = dataclasses.field(default_factory=list)

    kind = "author"


@dataclasses.dataclass
class Term:
    """A section (``kind="section"``) or a tag (``kind="tag"``)."""

    kind: str
    source_id: str
    name: str
    slug: str
    description: str = ""
    old_paths: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Skipped:
    """Something counted and left out (comments, menus, members, pages, internal tags), with the reason."""

    kind: str
    reason: str
    count: int = 1


#: Post states: live, draft, scheduled (go-live at ``published_at``).
LIVE, DRAFT, SCHEDULED = "live", "draft", "scheduled"


@dataclasses.dataclass
class Post:
    source_id: str
    title: str
    slug: str
    state: str
    published_at: datetime.datetime | None
    updated_at: datetime.datetime | None = None
    #: Why a post that was public-only-to-some (private, password, members) came in as a draft; "" otherwise.
    hidden_reason: str = ""
    excerpt: str = ""
    body_html: str = ""
    body_blocks: list | None = None
    feature_image_url: str = ""
    feature_image_alt: str = ""
    feature_image_caption: str = ""
    author_ids: list = dataclasses.field(default_factory=list)
    section_id: str = ""
    tag_ids: list = dataclasses.field(default_factory=list)
    canonical_url: str = ""
    meta_title: str = ""
    meta_description: str = ""
    #: Paths this post had on the old site (each gets a permanent redirect to its new URL).
    old_paths: list = dataclasses.field(default_factory=list)
    #: Where the post is in the file ("line 120", "post 42"), for error messages.
    where: str = ""
    #: The blocks of ``body_html`` when they were made ahead, in a second process (conversion.py): not part of
    #: what the export says.
    html_blocks: list | None = None

    kind = "story"

    def fingerprint(self):
        """A digest of everything the export says about the post: equal digests, nothing to update."""
        fields = dict(vars(self))  # not dataclasses.asdict: its deep copy of the body cost more than the digest
        fields.pop("where")
        fields.pop("html_blocks")
        return hashlib.sha256(json.dumps(fields, default=str, sort_keys=True).encode()).hexdigest()


def fingerprint_of(record):
    return hashlib.sha256(json.dumps(vars(record), default=str, sort_keys=True).encode()).hexdigest()
