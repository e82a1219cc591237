"""Search at 1,000,000 stories, from a copy of a 100,000-story site whose index rows are repeated ten times.

Building a 1,000,000-story demo takes hours on a 2-core machine (100,000 took 17 minutes or more), so the
extra 900,000 stories exist only in the index: each copy of a row gets a new rowid (News Feed position) beyond
the originals and keeps its story id, so a results page shows real stories. The text, and so how often each word
occurs, is the 100,000 stories' text ten times over: every query matches ten times as many stories.

    cp -r /tmp/search-100k /tmp/search-1m   # SQLite: the data directory; PostgreSQL: createdb -T
    BULLETIN_DATA_DIR=/tmp/search-1m .venv/bin/python bench/search_million.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search_1m BULLETIN_DATA_DIR=/tmp/search-1mpg \\
        .venv/bin/python bench/search_million.py

Times the copy (SQLite: FTS5 tokenizes and writes the 900,000 new rows from their stored text, then one
'optimize'; the part of a rebuild that reads stories and prepares their text in Python is not in it, see
bench/README.md. PostgreSQL: the tsvectors are copied, not computed, then the indexes built, so only the index
build is a build time), then runs bench/search.py's queries against the 1,000,000-row index.
"""

import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from bulletin.search import index  # noqa: E402

COPIES = 10


def copy_rows(cursor):
    """Add COPIES - 1 copies of every index row; returns the seconds each step took."""
    steps = {}
    if connection.vendor == "postgresql":
        cursor.execute("SELECT max(position), max(story_id), count(*) FROM search_story")
        top, top_id, rows = cursor.fetchone()
        if rows > top_id:
            raise SystemExit("the index already holds copies")
        started = time.monotonic()
        index.PostgresIndex().drop_indexes(cursor)
        for k in range(1, COPIES):
            # story_id is the primary key, so the copies get ids of their own (the page shows only real ones).
            cursor.execute(
                "INSERT INTO search_story SELECT story_id + %s, position + %s, published, section_id, authors, tags, "
                "document, english FROM search_story WHERE story_id <= %s",
                [k * top_id, k * top, top_id],
            )
        steps["copy rows (tsvectors copied)"] = time.monotonic() - started
        started = time.monotonic()
        index.PostgresIndex().finish(cursor)
        steps["build GIN and position indexes, ANALYZE"] = time.monotonic() - started
    else:
        table = index.SqliteIndex.table
        cursor.execute(f"SELECT max(rowid), count(*) FROM {table}")
        top, rows = cursor.fetchone()
        if rows > 2 * 100_000:
            raise SystemExit("the index already holds copies")
        columns = "title, summary, body, people, terms, translit, facets, story_id, published"
        started = time.monotonic()
        cursor.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0)")
        for k in range(1, COPIES):
            cursor.execute(
                f"INSERT INTO {table} (rowid, {columns}) SELECT rowid + %s, {columns} FROM {table} WHERE rowid <= %s",
                [k * top, top],
            )
            print(f"copy {k} of {COPIES - 1}: {time.monotonic() - started:.0f} s", flush=True)
        steps["tokenize and write 900,000 rows"] = time.monotonic() - started
        started = time.monotonic()
        index.SqliteIndex().finish(cursor)
        steps["optimize"] = time.monotonic() - started
    return steps


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    cpu = cpu_seconds()
    with transaction.atomic(), connection.cursor() as cursor:
        steps = copy_rows(cursor)
    started = time.monotonic()
    with connection.cursor() as cursor:
        index.engine().settle(cursor)  # as a rebuild does after its commit (PostgreSQL: VACUUM)
    steps["after the commit (PostgreSQL: VACUUM ANALYZE)"] = time.monotonic() - started
    for step, seconds in steps.items():
        print(f"{step}: {seconds:.0f} s")
    # SQLite works in this process: its CPU time is the build's cost whatever else the machine runs.
    print(f"CPU time of this process: {cpu_seconds() - cpu:.0f} s; load average {os.getloadavg()[0]:.1f}")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import search

    search.main()


if __name__ == "__main__":
    main()
