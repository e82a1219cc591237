"""Reader search latency at archive size, the index's build time and its size.

Guards against: ranking every match of a common word (Wagtail's database backend took over 60 s on SQLite for
a word matching 10,000 stories). Target at 100,000 stories: p95 ≤ 50 ms for each kind of query, on SQLite and on
PostgreSQL; `bulletin search rebuild` ≤ 60 s.

    BULLETIN_DATA_DIR=/tmp/search-100k .venv/bin/python bench/search.py            # queries only
    BULLETIN_DATA_DIR=/tmp/search-100k .venv/bin/python bench/search.py --rebuild  # rebuild first, timed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search BULLETIN_DATA_DIR=/tmp/search-100kpg \
        .venv/bin/python bench/search.py --rebuild
    ... bench/search.py --wagtail   # also Wagtail's database backend, 3 runs each (build its index first:
                                    # bulletin manage update_index; the demo builder does not fill it)

Each query is timed twice: the index alone (index.search, the top 20 and the capped count) and the whole
/search/ page through Django's test client (the index, the 20 stories, highlighting, the template).
Results are printed and written as JSON to bench/results/search-<engine>-<stories>.json.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bulletin.newsroom.models import StoryPage  # noqa: E402
from bulletin.search import index  # noqa: E402

#: Query kinds of the issue's targets, on the demo's vocabulary (its text repeats a small vocabulary, so
#: "rare" is a person's full name: each name is in about 5% of the stories, both in about 0.3%).
QUERIES = {
    "rare (two names)": ["Olena Kovalenko", "Taras Melnyk", "Iryna Bondar", "Dmytro Moroz"],
    "three words": ["power Kharkiv restored", "governor confirmed attack", "grain exports Odesa"],
    "common (>10%)": ["reported", "the", "Kharkiv", "energy"],
    "prefix (as you type)": ["kha", "rec", "gov"],
    "ukrainian (transliterated)": ["Харків", "Одеса"],
}
RUNS = 30


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, runs=RUNS):
    fn()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def database_cpu():
    """CPU seconds so far of this connection's PostgreSQL backend (a local server, Linux /proc), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def main():
    # The index's rows, not the pages: bench/search_million.py adds rows for stories that exist only there.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {index.engine().table}")
        stories = cursor.fetchone()[0]
    result = {"engine": connection.vendor, "stories": stories, "live_pages": StoryPage.objects.live().count()}
    if "--rebuild" in sys.argv:
        load, started, cpu, server_cpu = os.getloadavg()[0], time.monotonic(), time.process_time(), database_cpu()
        indexed = index.rebuild()
        result["rebuild_seconds"] = round(time.monotonic() - started, 1)
        result["rebuild_cpu_seconds"] = round(time.process_time() - cpu, 1)
        if server_cpu is not None:
            result["rebuild_server_cpu_seconds"] = round(database_cpu() - server_cpu, 1)
        result["rebuild_load_average"] = [round(load, 1), round(os.getloadavg()[0], 1)]
        print(
            f"rebuild: {indexed} stories in {result['rebuild_seconds']} s wall, CPU {result['rebuild_cpu_seconds']} s"
            f" (this process) + {result.get('rebuild_server_cpu_seconds', 0)} s (the PostgreSQL backend),"
            f" load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
        )
    result["index_bytes"] = index.index_size()
    print(f"{connection.vendor}, {stories} stories in the index, index {result['index_bytes'] / 1e6:.0f} MB")
    from bulletin.publishing.render import collect_static_files

    collect_static_files()  # the page links the fingerprinted CSS
    client = Client(HTTP_HOST="127.0.0.1")
    kinds = {}
    for kind, queries in QUERIES.items():
        index_times, page_times, matches = [], [], {}
        for q in queries:
            matches[q] = index.search(q).total
            index_times += timed(lambda q=q: index.search(q))
            index_times += timed(lambda q=q: index.search(q, newest=True), runs=RUNS // 3)
            page_times += timed(lambda q=q: client.get("/search/", {"q": q}), runs=RUNS // 2)
        kinds[kind] = {
            "matches (capped at 1001)": matches,
            "index_p50_ms": round(statistics.median(index_times), 1),
            "index_p95_ms": round(percentile(index_times, 95), 1),
            "page_p50_ms": round(statistics.median(page_times), 1),
            "page_p95_ms": round(percentile(page_times, 95), 1),
        }
        k = kinds[kind]
        print(
            f"{kind:28} index p50 {k['index_p50_ms']:6.1f} p95 {k['index_p95_ms']:6.1f} ms | "
            f"page p50 {k['page_p50_ms']:6.1f} p95 {k['page_p95_ms']:6.1f} ms | {matches}"
        )
    result["queries"] = kinds
    if "--wagtail" in sys.argv:
        from wagtail.search.backends import get_search_backend

        backend = get_search_backend("default")
        backend = getattr(backend, "inner", backend)  # Wagtail's own database backend, which ours wraps
        for q in ("Olena Kovalenko", "Kharkiv"):
            times = timed(lambda q=q: list(backend.search(q, StoryPage.objects.live())[:20]), runs=3)
            result.setdefault("wagtail_database_backend_ms", {})[q] = round(statistics.median(times), 1)
            print(f"wagtail database backend {q!r}: median {statistics.median(times):.0f} ms")
    out = Path(__file__).parent / "results" / f"search-{connection.vendor}-{stories}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
