"""Live blog entry publish latency: commit → the blog's head page on disk with the new entry, and → every file of
the entry's publish, on a blog of SMALL entries and one of LARGE entries, side by side in one run.

Guards against: an entry's publish growing with the size of its blog (target: p95 ≤ 300 ms from commit to the
head file, LARGE/SMALL ratio ≤ 1.3). "head" is commit → the head page's file written (its mtime); "events" is
commit → the first outbox entry done (the live channel's polling files, which the fronts send readers the entry
from); "all_files" is commit → every file of the post (then the head, the pages, the feeds and sitemaps).

Beside the wall times, which a loaded machine stretches, it reports the work itself: CPU seconds per post (the
posting transaction, and the publish in this process and in the publisher's helper process, from /proc) and the
database queries of the post and of this process's publish.
Run it on a demo newsroom:

    BULLETIN_DATA_DIR=/tmp/lb .venv/bin/bulletin demo --stories 1000 --quiet
    BULLETIN_DATA_DIR=/tmp/lb .venv/bin/python bench/liveblog_publish.py [entries per blog, default 100]

Each entry is posted as the composer posts it (composer.add_entry, one transaction); the publisher is switched to
"off" so the script times its run itself from the moment the transaction committed. The two blogs take turns, so
both see the same machine load.
"""

import json
import os
import resource
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

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.rich_text import RichText  # noqa: E402

from bulletin.liveblogs import composer  # noqa: E402
from bulletin.liveblogs.models import LiveBlogEntry, LiveBlogPage  # noqa: E402
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, Sequence  # noqa: E402
from bulletin.publishing.models import OutboxEntry  # noqa: E402
from bulletin.publishing.paths import file_for  # noqa: E402
from bulletin.publishing.publisher import Publisher  # noqa: E402

POSTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
SMALL, LARGE = 10, 5000


def blog_with(entries, run):
    blog = LiveBlogPage(
        title=f"Benchmark live blog of {entries} entries",
        slug=f"bench-live-{run}-{entries}",
        summary="Posted to by the benchmark.",
        section=Section.objects.first(),
        live=False,
    )
    blog.bylines = [Byline(author=Author.objects.first())]
    NewsFeedPage.objects.get().add_child(instance=blog)
    blog.save_revision().publish()
    LiveBlogEntry.objects.bulk_create(
        LiveBlogEntry(blog=blog, position=n, body=[("paragraph", f"<p>Entry {n} of the benchmark.</p>")])
        for n in range(1, entries + 1)
    )
    Sequence.objects.update_or_create(name=f"liveblog:{blog.pk}", defaults={"last_value": entries})
    return blog


def cpu_seconds():
    """CPU seconds of this process and of its children still running (the publisher's helper)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def per_url_work(blog, publisher):
    """What one more post renders, URL by URL in outbox order: [url, CPU ms of rendering it, its queries]. The
    URLs are rendered once here to be measured, then published as usual."""
    last = OutboxEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic():
        composer.add_entry(blog, {"body": [("paragraph", RichText("<p>One post, measured URL by URL.</p>"))]}, None)
    work = []
    publisher.renderer.new_batch()
    for entry in OutboxEntry.objects.filter(id__gt=last).order_by("id"):
        for url in entry.urls:
            started = time.thread_time()
            reset_queries()  # the log keeps 9,000 queries: a full one counts none
            with CaptureQueriesContext(connection) as queries:
                publisher.renderer.render(url)
            work.append([url, round((time.thread_time() - started) * 1000, 1), len(queries)])
    publisher.publish_pending()
    return work


def main():
    load_before = os.getloadavg()
    run = time.strftime("%H%M%S")
    publisher = Publisher()
    blogs = {SMALL: blog_with(SMALL, run), LARGE: blog_with(LARGE, run)}
    publisher.publish_pending()  # render the two blogs; start from an empty outbox
    public = Path(settings.BULLETIN_PUBLIC_DIR)
    events, everything, files = {SMALL: [], LARGE: []}, {SMALL: [], LARGE: []}, {SMALL: [], LARGE: []}
    head_file = {SMALL: [], LARGE: []}
    post_cpu, publish_cpu = {SMALL: [], LARGE: []}, {SMALL: [], LARGE: []}
    post_queries, publish_queries = {SMALL: [], LARGE: []}, {SMALL: [], LARGE: []}
    for n in range(POSTS):
        for size, blog in blogs.items():  # the two blogs take turns: both see the same load
            marker = f"Benchmark entry {n} on {size}."
            last = OutboxEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
            started_cpu = cpu_seconds()
            reset_queries()  # the log keeps 9,000 queries: a full one counts none
            with CaptureQueriesContext(connection) as posting, transaction.atomic():
                composer.add_entry(blog, {"body": [("paragraph", RichText(f"<p>{marker}</p>"))]}, user=None)
            committed, committed_at, committed_wall = time.perf_counter(), timezone.now(), time.time()
            committed_cpu = cpu_seconds()
            with CaptureQueriesContext(connection) as publishing:
                files[size].append(publisher.publish_pending())
            published_cpu = cpu_seconds()
            # The head file is written to a temporary name and renamed: its mtime is when it was written.
            head_file[size].append(((public / file_for(blog.url)).stat().st_mtime - committed_wall) * 1000)
            everything[size].append((time.perf_counter() - committed) * 1000)
            # The first outbox entry of a post is the live channel's polling files (liveblogs/publishing.py): when
            # it is done, the fronts send readers the entry.
            first = OutboxEntry.objects.filter(id__gt=last, background=False).order_by("id").first()
            events[size].append((first.done_at - committed_at).total_seconds() * 1000)
            assert marker in (public / file_for(blog.url)).read_text()
            post_cpu[size].append((committed_cpu - started_cpu) * 1000)
            publish_cpu[size].append((published_cpu - committed_cpu) * 1000)
            post_queries[size].append(len(posting))
            publish_queries[size].append(len(publishing))
    load = os.getloadavg()
    report = {
        "posts_per_blog": POSTS,
        "machine": os.uname().nodename,
        "cpus": os.cpu_count(),
        "load_before": [round(x, 1) for x in load_before],
        "load_after": [round(x, 1) for x in load],
    }
    for size in (SMALL, LARGE):
        for name, samples in (("head", head_file[size]), ("all_files", everything[size]), ("events", events[size])):
            samples.sort()
            report[f"{size}_{name}_p50_ms"] = round(statistics.median(samples), 1)
            report[f"{size}_{name}_p95_ms"] = round(samples[int(len(samples) * 0.95) - 1], 1)
        report[f"{size}_files_per_post"] = statistics.median(files[size])
        report[f"{size}_post_cpu_p50_ms"] = round(statistics.median(post_cpu[size]), 1)
        report[f"{size}_publish_cpu_p50_ms"] = round(statistics.median(publish_cpu[size]), 1)
        report[f"{size}_publish_cpu_p95_ms"] = round(
            sorted(publish_cpu[size])[int(len(publish_cpu[size]) * 0.95) - 1], 1
        )
        report[f"{size}_post_queries"] = statistics.median(post_queries[size])
        report[f"{size}_publish_queries"] = statistics.median(publish_queries[size])
    report["one_post_on_5000_per_url"] = per_url_work(blogs[LARGE], publisher)
    for name in ("head", "all_files", "events"):
        report[f"ratio_{name}_p95"] = round(report[f"{LARGE}_{name}_p95_ms"] / report[f"{SMALL}_{name}_p95_ms"], 2)
    print(json.dumps(report))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"liveblog_publish-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main()
