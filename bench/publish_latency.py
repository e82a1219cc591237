"""Publish latency: commit → every affected file on disk, over 200 publishes, and files written per publish;
also commit → the pages on disk (the first outbox entry; the feeds and sitemaps follow in a second one).

Guards against: publishing cost growing with the archive (target: p95 ≤ 300 ms, 100k/1k ratio ≤ 1.3). Run it
on two demo newsrooms of different sizes and compare:

    BULLETIN_DATA_DIR=/tmp/b1k .venv/bin/python bench/publish_latency.py
    BULLETIN_DATA_DIR=/tmp/b100k .venv/bin/python bench/publish_latency.py

Each publish is what the admin's Publish button does (a revision, then publish); the publisher is switched to
"off" so the script can time its run itself, from the moment the transaction committed.
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

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage, Tag  # noqa: E402
from bulletin.publishing.models import OutboxEntry  # noqa: E402
from bulletin.publishing.publisher import Publisher  # noqa: E402

PUBLISHES = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def main():
    feed_page = NewsFeedPage.objects.get()
    sections, tags, authors = list(Section.objects.all()), list(Tag.objects.all()), list(Author.objects.all())
    publisher = Publisher()
    publisher.publish_pending()  # start from an empty outbox
    latencies, pages, files = [], [], []
    run = time.strftime("%H%M%S")
    for n in range(PUBLISHES):
        story = StoryPage(
            title=f"Benchmark story {n}",
            slug=f"bench-{run}-{n}",
            summary="Published by the benchmark.",
            section=sections[n % len(sections)],
            live=False,
        )
        story.bylines = [Byline(author=authors[n % len(authors)])]
        feed_page.add_child(instance=story)
        story.tags.set([tags[n % len(tags)], tags[(n * 7 + 3) % len(tags)]])
        story.save()
        last_entry = OutboxEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with transaction.atomic():
            story.save_revision().publish()
        committed, committed_at = time.perf_counter(), timezone.now()
        files.append(publisher.publish_pending())
        latencies.append((time.perf_counter() - committed) * 1000)
        first_entry = OutboxEntry.objects.filter(id__gt=last_entry, background=False).order_by("id").first()
        pages.append((first_entry.done_at - committed_at).total_seconds() * 1000)
    latencies.sort()
    pages.sort()
    report = {
        "stories": StoryPage.objects.live().count(),
        "publishes": PUBLISHES,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "max_ms": round(latencies[-1], 1),
        "pages_p50_ms": round(statistics.median(pages), 1),
        "pages_p95_ms": round(pages[int(len(pages) * 0.95) - 1], 1),
        "files_per_publish": {"min": min(files), "median": statistics.median(files), "max": max(files)},
    }
    print(json.dumps(report))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"publish_latency-{report['stories']}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main()
