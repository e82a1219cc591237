"""The cost of setting the breaking-news banner, and of the index pages, against the size of the archive.

Guards against: the banner being baked into pages (setting it would then rewrite the archive: 100,000 pages), and
/sections/ and /authors/ growing costly with the archive (their counts come from one grouped query). Run it on two
demo newsrooms of different sizes and compare (bench/README.md):

    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/python bench/breaking_news.py
    BULLETIN_DATA_DIR=/tmp/b100k .venv/bin/python bench/breaking_news.py

Each banner change is what the admin's Save does (a transaction that saves the setting and records its live
event and outbox entry); the publisher is switched to "off" so the script times its run itself: from before the
save to both files (live/banner.json, live/latest.json) on disk. Then it renders /sections/ and /authors/ as the
publisher does.
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bulletin.newsroom.models import BreakingNews, StoryPage  # noqa: E402
from bulletin.publishing.publisher import Publisher  # noqa: E402

CHANGES = int(sys.argv[1]) if len(sys.argv) > 1 else 100
INDEX_RENDERS = 20


def percentile(values, share):
    values = sorted(values)
    return round(values[max(int(len(values) * share) - 1, 0)], 2)


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
        times = []
        for _ in range(INDEX_RENDERS):
            started = time.perf_counter()
            publisher.renderer.new_batch()  # as for an outbox entry: no memo shared with the previous render
            rendered = publisher.renderer.render(url)
            assert rendered.status == 200, (url, rendered.status)
            times.append((time.perf_counter() - started) * 1000)
        index_ms[url] = {"p50_ms": round(statistics.median(times), 2), "p95_ms": percentile(times, 0.95)}
    report = {
        "stories": StoryPage.objects.live().count(),
        "banner_changes": CHANGES,
        "banner_p50_ms": round(statistics.median(banner_ms), 2),
        "banner_p95_ms": percentile(banner_ms, 0.95),
        "banner_max_ms": round(max(banner_ms), 2),
        "files_per_change": {"min": min(files), "max": max(files)},
        "queries_in_save": {"min": min(queries), "max": max(queries)},
        "index_render": index_ms,
    }
    print(json.dumps(report))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"breaking_news-{report['stories']}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main()
