"""Show that News Feed queries read an index, not a sort of the archive, on a large demo newsroom.

Guards against: Wagtail's obvious feed query (the feed page's children, newest first) sorting every story on
each request (seen in a 20k-page trial). Prints each query's plan and its median time over 50 runs.

    BULLETIN_DATA_DIR=/tmp/b100k .venv/bin/bulletin demo --stories 100000 --days 3650
    BULLETIN_DATA_DIR=/tmp/b100k .venv/bin/python bench/feed_query_plan.py
"""

import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
import django

django.setup()

from django.db import connection  # noqa: E402

from bulletin.newsroom import listings  # noqa: E402
from bulletin.newsroom.models import Section, StoryPage  # noqa: E402


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        cursor.execute(prefix + sql, params)
        return [str(row[-1]) for row in cursor.fetchall()]


def median_ms(run, repeat=50):
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 3)


def main():
    total = StoryPage.objects.count()
    section = Section.objects.first()
    middle_page = listings.newest_page_number() // 2
    queries = {
        "head (latest 10)": listings.feed_stories()[:10],
        f"archive page {middle_page}": listings.feed_stories().filter(
            feed_position__gt=(middle_page - 1) * listings.FEED_PAGE_SIZE,
            feed_position__lte=middle_page * listings.FEED_PAGE_SIZE,
        ),
        "section head": listings.feed_stories().filter(section=section)[:20],
        "naive Wagtail children query": listings.feed_stories()
        .model.objects.live()
        .child_of(listings.feed_stories().first().get_parent())
        .order_by("-first_published_at")[:10],
    }
    report = {"stories": total, "database": connection.vendor, "queries": {}}
    for name, queryset in queries.items():
        report["queries"][name] = {"plan": plan(queryset), "median_ms": median_ms(lambda q=queryset: list(q.all()))}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
