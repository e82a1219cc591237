"""The search index: one table per database engine, written in the transaction that changes a story.

SQLite: an FTS5 table (``search_story_fts``) whose rowid is the story's News Feed position, so "newest first" is
FTS5's own rowid order and deleting a story's row is a lookup by rowid. PostgreSQL: ``search_story`` with two
``tsvector`` columns (``simple`` and ``english``) under GIN indexes. Only live stories with a feed position are
indexed; the reader's results are checked against ``live`` again before they are shown.

Ranking: only the newest CANDIDATES matches of a query are ranked (a bounded candidate set, so a common word
costs what a rare one does). SQLite scores each candidate 1, plus 10 if the headline holds every word, plus 4 if
the summary, authors, section and tags do, and orders by score, then newest first. PostgreSQL orders by ts_rank
over the weighted vectors (headline A, summary/people/section/tags B, body C, transliteration D) multiplied by a
recency factor of 1 + 0.5 / (1 + age in months). Either way the headline outranks everything, and among equally
good matches the newer story comes first.
"""

import contextlib
import dataclasses
import html
import json
import logging
import re
from datetime import UTC, datetime

from django.db import DatabaseError, connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from bulletin.newsroom.models import Byline, Section, StoryPage, Tag

from .text import WORD, Query, clean, fold, transliterate

logger = logging.getLogger(__name__)

#: Results a query can page through: a top-k cut-off, so no query ranks the whole archive (Wagtail's trap).
MAX_RESULTS = 1000
#: Either engine ranks at most this many of the newest matches of a query (the bounded candidate set): a word
#: matching half the archive costs as much as one matching this many stories.
CANDIDATES = MAX_RESULTS + 1
#: PostgreSQL: a query the planner expects to match at least this many stories is read newest first through
#: the position index.
PG_DENSE = 10_000
#: PostgreSQL: memory an index build after a rebuild may use (maintenance_work_mem, for that transaction only).
PG_BUILD_MEMORY = "256MB"
#: Seconds in the month of the recency factor.
RECENCY_MONTH = 30 * 86400
#: Stories indexed per batch by rebuild() and index_stories().
BATCH_SIZE = 1000
#: FTS5's default 'automerge' setting, restored after a rebuild.
FTS5_AUTOMERGE = 4
#: FTS5's default 'hashsize' (bytes of new terms kept in memory before they are written as a segment), restored
#: after a rebuild, and the rebuild's own: 32 times fewer segments to write and merge.
FTS5_HASHSIZE, FTS5_REBUILD_HASHSIZE = 1024 * 1024, 32 * 1024 * 1024
#: SQLite page cache of the connection during a rebuild (KiB, as PRAGMA cache_size takes a negative number).
SQLITE_REBUILD_CACHE_KIB = 128 * 1024

# SQLite: what a match in these columns adds to a candidate's score of 1 (a match anywhere, the body included).
# bm25() would rank by the same columns, but computes each word's rarity over the whole archive on every query
# (20-60 ms for a common word at 100,000 stories); within a candidate set that all contains every word, which
# columns hold the words is what tells matches apart.
_SQLITE_COLUMN_WEIGHTS = [(10.0, "title"), (4.0, "summary people terms")]
_TAG = re.compile(r"<[^>]+>")


@dataclasses.dataclass
class Document:
    """What the index holds of one story."""

    story_id: int
    position: int
    published: datetime
    section_id: int
    author_ids: list
    tag_ids: list
    title: str
    summary: str
    body: str
    people: str
    terms: str

    @property
    def translit(self):
        return transliterate(" ".join((self.title, self.summary, self.people, self.terms)))

    @property
    def facets(self):
        """Filter tokens: s<section id>, a<author id>, t<tag id>."""
        return " ".join([f"s{self.section_id}"] + [f"a{a}" for a in self.author_ids] + [f"t{t}" for t in self.tag_ids])


@dataclasses.dataclass
class Filters:
    """What a search may be narrowed to (ids and aware datetimes; None: no filter)."""

    section_id: int | None = None
    author_id: int | None = None
    tag_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def facets(self):
        return [
            f"s{self.section_id}" if self.section_id else None,
            f"a{self.author_id}" if self.author_id else None,
            f"t{self.tag_id}" if self.tag_id else None,
        ]


@dataclasses.dataclass
class Hits:
    story_ids: list
    total: int  # capped at MAX_RESULTS + 1: "more than MAX_RESULTS"


def _body_text(raw_blocks):
    """The searchable text of a body's raw StreamField data: paragraphs, headings, quotes, image captions."""
    parts = []
    for block in raw_blocks or ():
        kind, value = block.get("type"), block.get("value")
        if kind == "paragraph" and isinstance(value, str):
            parts.append(html.unescape(_TAG.sub(" ", value)))
        elif kind == "heading" and isinstance(value, str):
            parts.append(value)
        elif kind == "quote" and isinstance(value, dict):
            parts += [value.get("text") or "", value.get("attribution") or ""]
        elif kind == "image" and isinstance(value, dict):
            parts += [value.get("caption") or "", value.get("credit") or ""]
        elif kind == "link_card" and isinstance(value, dict):
            parts.append(value.get("title") or "")
    return " ".join(p for p in parts if p)


def documents(story_ids):
    """Documents for the live, placed stories among ``story_ids`` (a handful of queries per batch)."""
    rows = list(
        StoryPage.objects.live()
        .filter(pk__in=story_ids, feed_position__isnull=False)
        .values_list(
            "pk",
            "feed_position",
            "first_published_at",
            "section_id",
            "title",
            "summary",
            # The JSON as text: Wagtail's StreamField makes a StreamValue (and a JSONField) per row, a third of
            # the time of reading a batch; only the raw blocks are needed.
            Cast("body", TextField()),
            "feature_image_caption",
            "feature_image_credit",
        )
    )
    if not rows:
        return []
    ids = [row[0] for row in rows]
    authors, tags = {}, {}
    for page_id, author_id, name in (
        Byline.objects.filter(page_id__in=ids)
        .order_by("sort_order")
        .values_list("page_id", "author_id", "author__name")
    ):
        authors.setdefault(page_id, []).append((author_id, name))
    through = StoryPage.tags.through
    tag_names = dict(Tag.objects.values_list("pk", "name"))
    for page_id, tag_id in through.objects.filter(storypage_id__in=ids).values_list("storypage_id", "tag_id"):
        tags.setdefault(page_id, []).append(tag_id)
    section_names = dict(Section.objects.values_list("pk", "name"))
    docs = []
    for pk, position, published, section_id, title, summary, body, caption, credit in rows:
        raw = json.loads(body) if body else []
        story_authors = authors.get(pk, [])
        story_tags = tags.get(pk, [])
        docs.append(
            Document(
                story_id=pk,
                position=position,
                published=published or timezone.now(),
                section_id=section_id,
                author_ids=[a for a, _ in story_authors],
                tag_ids=story_tags,
                title=clean(title),
                summary=clean(summary),
                body=clean(" ".join((caption, credit, _body_text(raw)))),
                people=clean(" ".join(name for _, name in story_authors)),
                terms=clean(" ".join([section_names.get(section_id, "")] + [tag_names.get(t, "") for t in story_tags])),
            )
        )
    return docs


class SqliteIndex:
    """FTS5 with the unicode61 tokenizer (case folding, Latin diacritics removed) under the Porter stemmer."""

    table = "search_story_fts"

    def create(self, cursor):
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5("
            "title, summary, body, people, terms, translit, facets, story_id UNINDEXED, published UNINDEXED, "
            # detail=column: no word positions (no phrase queries, which readers' queries never become), about
            # half the size and build time of the full index; a prefix index for as-you-type prefixes of 3 letters.
            "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '3', detail = column)"
        )

    def drop(self, cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def write(self, cursor, docs, fresh=False):
        """Index ``docs``, replacing their rows; ``fresh``: the table was just emptied, nothing to replace."""
        if not fresh:
            self.delete_positions(cursor, [d.position for d in docs])
        cursor.executemany(
            f"INSERT INTO {self.table} (rowid, title, summary, body, people, terms, translit, facets, story_id, "
            "published) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    d.position,
                    d.title,
                    d.summary,
                    d.body,
                    d.people,
                    d.terms,
                    d.translit,
                    d.facets,
                    d.story_id,
                    int(d.published.timestamp()),
                )
                for d in docs
            ],
        )

    def delete_positions(self, cursor, positions):
        if positions:
            cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(p,) for p in positions])

    def delete_stories(self, cursor, story_ids):
        """Delete by story id: a scan of the table, for stories whose feed position is not known."""
        cursor.executemany(f"DELETE FROM {self.table} WHERE story_id = %s", [(i,) for i in story_ids])

    def clear(self, cursor):
        """Empty the table for a rebuild. FTS5 merges its segments as they pile up (automerge); while the whole
        archive is written that merging is repeated work, done once by 'optimize' in finish(). New terms are
        kept in memory longer (hashsize), and the connection caches more pages, so fewer and larger segments are
        written."""
        cursor.execute("PRAGMA cache_size")
        self.cache_size = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_REBUILD_CACHE_KIB}")
        cursor.execute(f"DELETE FROM {self.table}")
        cursor.execute(f"INSERT INTO {self.table} ({self.table}, rank) VALUES ('automerge', 0)")
        cursor.execute(f"INSERT INTO {self.table} ({self.table}, rank) VALUES ('hashsize', {FTS5_REBUILD_HASHSIZE})")

    def finish(self, cursor):
        cursor.execute(f"INSERT INTO {self.table} ({self.table}) VALUES ('optimize')")
        cursor.execute(f"INSERT INTO {self.table} ({self.table}, rank) VALUES ('automerge', {FTS5_AUTOMERGE})")
        cursor.execute(f"INSERT INTO {self.table} ({self.table}, rank) VALUES ('hashsize', {FTS5_HASHSIZE})")
        cursor.execute(f"PRAGMA cache_size = {self.cache_size}")

    def settle(self, cursor):
        """Nothing to do after a rebuild's commit (see PostgresIndex.settle)."""

    def search(self, cursor, query, filters, newest, offset, limit, now):
        match = query.fts5()
        facets = " AND ".join(f'"{f}"' for f in filters.facets() if f)
        if facets:
            match = f"({match}) AND facets : ({facets})"
        where, params = [f"{self.table} MATCH %s"], [match]
        if filters.since:
            where.append("published >= %s")
            params.append(int(filters.since.timestamp()))
        if filters.until:
            where.append("published < %s")
            params.append(int(filters.until.timestamp()))
        where = " AND ".join(where)
        # Where the newest CANDIDATES matches start: a walk of the doclists in rowid order that ranks nothing
        # and stops there. If there is such a row, more than MAX_RESULTS match, and nothing needs counting.
        cursor.execute(
            f"SELECT rowid FROM {self.table} WHERE {where} ORDER BY rowid DESC LIMIT 1 OFFSET %s",
            params + [CANDIDATES - 1],
        )
        oldest = cursor.fetchone()
        candidates, candidate_params = (f"{where} AND rowid >= %s", params + [oldest[0]]) if oldest else (where, params)
        if newest:
            cursor.execute(
                f"SELECT story_id FROM {self.table} WHERE {where} ORDER BY rowid DESC LIMIT %s OFFSET %s",
                params + [limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if oldest:
                return Hits(ids, MAX_RESULTS + 1)
            cursor.execute(f"SELECT count(*) FROM {self.table} WHERE {where}", params)
            return Hits(ids, cursor.fetchone()[0])
        cursor.execute(f"SELECT rowid FROM {self.table} WHERE {candidates}", candidate_params)
        scores = {row[0]: 1.0 for row in cursor.fetchall()}  # every candidate matches somewhere
        for weight, columns in _SQLITE_COLUMN_WEIGHTS:
            column_match = f"{{{columns}}} : ({query.fts5()})"
            if facets:
                column_match += f" AND facets : ({facets})"
            cursor.execute(f"SELECT rowid FROM {self.table} WHERE {candidates}", [column_match] + candidate_params[1:])
            for (rowid,) in cursor.fetchall():
                if rowid in scores:
                    scores[rowid] += weight
        # Best columns first, then newest first (the rowid is the feed position): reading each candidate's time
        # from the table's content would cost more than the search (5-20 ms for 1,000 rows at 100,000 stories).
        page = sorted(scores, key=lambda rowid: (-scores[rowid], -rowid))[offset : offset + limit]
        story_ids = {}
        if page:
            cursor.execute(
                f"SELECT rowid, story_id FROM {self.table} WHERE rowid IN ({', '.join(['%s'] * len(page))})", page
            )
            story_ids = dict(cursor.fetchall())
        return Hits(
            [story_ids[rowid] for rowid in page if rowid in story_ids], MAX_RESULTS + 1 if oldest else len(scores)
        )

    def size(self, cursor):
        cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE %s", [f"{self.table}%"])
        return cursor.fetchone()[0] or 0


class PostgresIndex:
    """tsvector columns under GIN: ``document`` (the ``simple`` configuration over text folded in Python,
    weighted A headline, B summary, people, section and tags, C body, D transliteration) and ``english`` (the
    ``english`` configuration: stemmed, stop words left out)."""

    table = "search_story"

    def create(self, cursor):
        cursor.execute(f"""
            CREATE TABLE IF NOT EXISTS {self.table} (
                story_id bigint PRIMARY KEY, position bigint NOT NULL, published timestamptz NOT NULL,
                section_id bigint NOT NULL, authors bigint[] NOT NULL, tags bigint[] NOT NULL,
                document tsvector NOT NULL, english tsvector NOT NULL)""")
        self._create_indexes(cursor)

    def _create_indexes(self, cursor):
        cursor.execute(f"CREATE INDEX IF NOT EXISTS search_story_document ON {self.table} USING gin (document)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS search_story_english ON {self.table} USING gin (english)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS search_story_position ON {self.table} (position)")

    def drop(self, cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    _VECTORS = (
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') || "
        "setweight(to_tsvector('simple', %s), 'C') || setweight(to_tsvector('simple', %s), 'D'), "
        "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B') || "
        "setweight(to_tsvector('english', %s), 'C')"
    )

    def write(self, cursor, docs, fresh=False):
        """Index ``docs``, replacing their rows (``fresh``: the table was just emptied, nothing to replace)."""
        rows = []
        for d in docs:
            title, summary, body = _folded(d.title), _folded(" ".join((d.summary, d.people, d.terms))), _folded(d.body)
            rows.append(
                (
                    d.story_id,
                    d.position,
                    d.published,
                    d.section_id,
                    d.author_ids,
                    d.tag_ids,
                    title,
                    summary,
                    body,
                    d.translit,
                    title,
                    summary,
                    body,
                )
            )
        insert = (
            f"INSERT INTO {self.table} (story_id, position, published, section_id, authors, tags, document, english) "
            f"VALUES (%s, %s, %s, %s, %s, %s, {self._VECTORS})"
        )
        if not fresh:
            insert += (
                " ON CONFLICT (story_id) DO UPDATE SET position = EXCLUDED.position, published = EXCLUDED.published, "
                "section_id = EXCLUDED.section_id, authors = EXCLUDED.authors, tags = EXCLUDED.tags, "
                "document = EXCLUDED.document, english = EXCLUDED.english"
            )
        cursor.executemany(insert, rows)

    def delete_stories(self, cursor, story_ids):
        cursor.execute(f"DELETE FROM {self.table} WHERE story_id = ANY(%s)", [list(story_ids)])

    def clear(self, cursor):
        """Empty the table for a rebuild, and drop its indexes: GIN built once over every row at the end
        (finish) takes a fraction of the time of keeping it up to date row by row."""
        cursor.execute(f"TRUNCATE {self.table}")
        self.drop_indexes(cursor)

    def drop_indexes(self, cursor):
        cursor.execute("DROP INDEX IF EXISTS search_story_document, search_story_english, search_story_position")

    def finish(self, cursor):
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{PG_BUILD_MEMORY}'")
        self._create_indexes(cursor)
        cursor.execute(f"ANALYZE {self.table}")

    def settle(self, cursor):
        """After a rebuild's commit: mark the new rows all-visible, so a count or a bitmap scan need not read
        every row it finds to check it (autovacuum would, some minutes later; 100,000 stories: 1.7 s for a
        count of 20,000 matches before, see bench/README.md)."""
        cursor.execute(f"VACUUM (ANALYZE) {self.table}")

    def search(self, cursor, query, filters, newest, offset, limit, now):
        where = ["(document @@ to_tsquery('simple', %s) OR english @@ plainto_tsquery('english', %s))"]
        params = [query.tsquery(), query.plain()]
        for column, value in (
            ("section_id = %s", filters.section_id),
            ("authors @> ARRAY[%s]::bigint[]", filters.author_id),
            ("tags @> ARRAY[%s]::bigint[]", filters.tag_id),
            ("published >= %s", filters.since),
            ("published < %s", filters.until),
        ):
            if value:
                where.append(column)
                params.append(value)
        where = " AND ".join(where)
        # Dense or sparse, by the planner's own estimate (EXPLAIN: planning only, about a millisecond). A dense
        # query (PG_DENSE matches or more) is read newest first through the position index and finds its newest
        # matches after a few rows. A sparse one is read through the GIN index and sorted ("position + 0" keeps
        # the planner off the position index, which it otherwise walks for 50,000 rows to find 1,000 matches of
        # a name in 5% of the stories: 0.7 s). Counting matches exactly, even up to 10,000, took 50-170 ms.
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {self.table} WHERE {where}", params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        dense = plan[0]["Plan"]["Plan Rows"] >= PG_DENSE
        # A sparse query reads all its matches anyway (to sort them), so it counts them in the same pass: a
        # count of its own read them all through GIN a second time (half the time of a query for two names).
        found = "NULL" if dense else "count(*) OVER ()"
        newest_first = "position DESC" if dense else "position + 0 DESC"
        if newest:
            cursor.execute(
                f"SELECT story_id, {found} FROM {self.table} WHERE {where} ORDER BY {newest_first} LIMIT %s OFFSET %s",
                params + [limit, offset],
            )
        else:
            # The newest CANDIDATES matches (their ids only: a tsvector is read from TOAST storage), ranked.
            cursor.execute(
                f"""
                WITH candidates AS MATERIALIZED (
                    SELECT story_id, {found} AS found FROM {self.table} WHERE {where}
                    ORDER BY {newest_first} LIMIT {CANDIDATES})
                SELECT s.story_id, candidates.found FROM candidates JOIN {self.table} AS s USING (story_id)
                ORDER BY (ts_rank(ARRAY[0.05, 0.1, 0.4, 1.0]::float4[], s.document, to_tsquery('simple', %s))
                          + ts_rank(ARRAY[0.05, 0.1, 0.4, 1.0]::float4[], s.english, plainto_tsquery('english', %s)))
                         * (1.0 + 0.5 / (1.0 + greatest(0, extract(epoch FROM %s - s.published)) / {RECENCY_MONTH}))
                         DESC, s.story_id DESC
                LIMIT %s OFFSET %s""",
                params + [query.tsquery(), query.plain(), now, limit, offset],
            )
        rows = cursor.fetchall()
        if dense:
            total = MAX_RESULTS + 1
        elif rows:
            total = rows[0][1]
        elif offset:  # a page past the end: how many there are, for the link back
            # Not "LIMIT MAX_RESULTS + 1": with a limit the planner scans the table (0.3 s), without it the GIN index.
            cursor.execute(f"SELECT count(*) FROM {self.table} WHERE {where}", params)
            total = cursor.fetchone()[0]
        else:
            total = 0
        return Hits([row[0] for row in rows], min(total, MAX_RESULTS + 1))

    def size(self, cursor):
        cursor.execute(f"SELECT pg_total_relation_size('{self.table}')")
        return cursor.fetchone()[0]


def _folded(value):
    """The words of ``value``, folded, separated by spaces: PostgreSQL's parser sees the words a query can
    have, not the tags, e-mail addresses or paths it would otherwise find ("<script>" is a tag to it)."""
    return " ".join(WORD.findall(fold(value)))


def engine(using=None):
    """The index of the default database's engine."""
    return PostgresIndex() if connection.vendor == "postgresql" else SqliteIndex()


def index_stories(story_ids):
    """Index (or index again) the stories among ``story_ids`` that are live; remove the others. Call inside
    the transaction that changed them."""
    story_ids = list(story_ids)
    index = engine()
    with connection.cursor() as cursor:
        for start in range(0, len(story_ids), BATCH_SIZE):
            batch = story_ids[start : start + BATCH_SIZE]
            docs = documents(batch)
            gone = set(batch) - {d.story_id for d in docs}
            if gone:
                index.delete_stories(cursor, gone)
            index.write(cursor, docs)


def remove_story(story):
    """Take ``story`` out of the index (unpublished or deleted). Call inside the transaction that did it."""
    index = engine()
    with connection.cursor() as cursor:
        if isinstance(index, SqliteIndex) and story.feed_position is not None:
            index.delete_positions(cursor, [story.feed_position])
        else:
            index.delete_stories(cursor, [story.pk])


def rebuild(progress=None):
    """Index every live story again from scratch, in one transaction; ``progress(n)`` after each batch.
    Returns the number of stories indexed."""
    index = engine()
    ids = list(
        StoryPage.objects.live()
        .filter(feed_position__isnull=False)
        .order_by("feed_position")
        .values_list("pk", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        index.clear(cursor)
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            index.write(cursor, documents(batch), fresh=True)
            if progress:
                progress(len(batch))
        index.finish(cursor)
    if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (nor in a test's)
        with connection.cursor() as cursor:
            index.settle(cursor)
    return len(ids)


def search(query, filters=None, newest=False, offset=0, limit=20, now=None):
    """The ids of the stories matching ``query`` (a Query or a string), best first, and how many match (up to
    MAX_RESULTS + 1). Never raises on what a reader typed."""
    if not isinstance(query, Query):
        query = Query(query)
    if not query:
        return Hits([], 0)
    limit = max(0, min(limit, MAX_RESULTS - offset))
    # A savepoint only inside a transaction (so a refused query does not spoil it on PostgreSQL); outside one,
    # none: on SQLite a transaction would take the write lock (BEGIN IMMEDIATE) for every search.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            return engine().search(cursor, query, filters or Filters(), newest, offset, limit, now or datetime.now(UTC))
    except DatabaseError:  # a query the engine refuses is a query with no results, never a 500
        logger.exception("search failed for %r", query.text)
        return Hits([], 0)


def index_size():
    """Bytes the index takes on disk."""
    with connection.cursor() as cursor:
        return engine().size(cursor)
