"""The cost of setting the breaking-news banner, and of the index pages, against the size of the archive.

Guards against: the banner being baked into pages (setting it would then rewrite the archive: 100,000 pages), and
/sections/ and /authors/ growing costly with the archive (their counts were one grouped query over every list
entry; they are now kept in ListingCount by each publish). Run it on two demo newsrooms of different sizes and
compare (bench/README.md):

    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/python bench/breaking_news.py
    BULLETIN_DATA_DIR=/tmp/b100k .venv/bin/python bench/breaking_news.py

Each banner change is what the admin's Save does (a transaction that saves the setting and records its live
event and outbox entry); the publisher is switched to "off" so the script times its run itself: from before the
save to both files (live/banner.json, live/latest.json) on disk. Then it renders /sections/ and /authors/ as the
publisher does; times what keeping the counts adds to a publish and an unpublish (ListingEntry.settle_counts, for
stories taken off and put back, in a transaction rolled back at the end); and, for comparison in the same run, the
grouped count the index pages used before.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
os.environ["BULLETIN_PUBLISHER"] = "off"
import django

django.setup()
from bulletin.gc_freeze import freeze_loaded_objects  # noqa: E402  (as the `bulletin` command does)

freeze_loaded_objects()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bulletin.newsroom.models import BreakingNews, ListingEntry, StoryPage  # noqa: E402
from bulletin.publishing.publisher import Publisher  # noqa: E402

CHANGES = int(sys.argv[1]) if len(sys.argv) > 1 else 100
INDEX_RENDERS = 20
#: Stories taken off and put back to time the upkeep of the counts; runs of the old grouped count (seconds each).
RECOUNTED_STORIES = 30
GROUPED_COUNTS = 3


def percentile(values, share):
    values = sorted(values)
    return round(values[max(int(len(values) * share) - 1, 0)], 2)


def count_upkeep():
    """The time and queries settle_counts takes when a story goes off (an unpublish) and back (a publish), for the
    newest RECOUNTED_STORIES stories; nothing is kept."""
    stories = list(StoryPage.objects.live().order_by("-feed_position").values_list("pk", flat=True)[:RECOUNTED_STORIES])
    times, cpu, queries = {"unpublish": [], "publish": []}, {"unpublish": [], "publish": []}, []
    with transaction.atomic():
        for pk in stories:
            for step, live in (("unpublish", False), ("publish", True)):
                StoryPage.objects.filter(pk=pk).update(live=live)
                started, started_cpu = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as captured:
                    ListingEntry.settle_counts([pk])
                times[step].append((time.perf_counter() - started) * 1000)
                cpu[step].append((time.process_time() - started_cpu) * 1000)
                queries.append(len(captured))
        transaction.set_rollback(True)
    summary = {f"{step}_p50_ms": round(statistics.median(ms), 2) for step, ms in times.items()}
    summary.update({f"{step}_p95_ms": percentile(ms, 0.95) for step, ms in times.items()})
    summary.update({f"{step}_cpu_p50_ms": round(statistics.median(ms), 2) for step, ms in cpu.items()})
    return summary | {"queries": {"min": min(queries), "max": max(queries)}}


def grouped_count():
    """The index pages' count before ListingCount: every live entry of the kind, grouped by collection."""
    entries = ListingEntry.objects.filter(kind="section", story__live=True)
    return dict(entries.values_list("collection_id").annotate(count=Count("id")).order_by())


def main():
    publisher = Publisher()
    publisher.publish_pending()  # start from an empty outbox
    banner_ms, files, queries = [], [], []
    for n in range(CHANGES):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            banner = BreakingNews.load()
            banner.text = "" if n % 2 else f"Air-raid alert number {n}"
            banner.save()
        files.append(publisher.publish_pending())
        banner_ms.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    index_ms = {}
    for url in ("/sections/", "/authors/"):
        times, cpu = [], []
        for _ in range(INDEX_RENDERS):
            started, started_cpu = time.perf_counter(), time.process_time()
            publisher.renderer.new_batch()  # as for an outbox entry: no memo shared with the previous render
            rendered = publisher.renderer.render(url)
            assert rendered.status == 200, (url, rendered.status)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        index_ms[url] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": percentile(times, 0.95),
            "cpu_p50_ms": round(statistics.median(cpu), 2),
        }
    upkeep = count_upkeep()
    grouped = []
    for _ in range(GROUPED_COUNTS):
        started, started_cpu = time.perf_counter(), time.process_time()
        grouped_count()
        grouped.append(((time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000))
    report = {
        "stories": StoryPage.objects.live().count(),
        "banner_changes": CHANGES,
        "banner_p50_ms": round(statistics.median(banner_ms), 2),
        "banner_p95_ms": percentile(banner_ms, 0.95),
        "banner_max_ms": round(max(banner_ms), 2),
        "files_per_change": {"min": min(files), "max": max(files)},
        "queries_in_save": {"min": min(queries), "max": max(queries)},
        "index_render": index_ms,
        "count_upkeep": upkeep,
        "old_grouped_count_ms": [{"wall": round(wall, 2), "cpu": round(cpu, 2)} for wall, cpu in grouped],
        "load_average": os.getloadavg(),
    }
    print(json.dumps(report))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"breaking_news-{report['stories']}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main()
