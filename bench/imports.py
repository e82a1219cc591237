"""`bulletin import` at archive size: a generated 100,000-post WordPress export and Ghost export, no images.

Guards against: an importer that loads the whole file (memory growing with the export) or writes one story at a
time through Wagtail (about 57 stories/s). Target: ≥ 500 posts/s on SQLite, search indexing and first
revisions included, with the peak memory of the importing process.

    .venv/bin/python bench/imports.py                 # 100,000 posts of each format, SQLite
    .venv/bin/python bench/imports.py --posts 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_imports .venv/bin/python bench/imports.py

Each run imports into a new data folder with `bulletin import KIND FILE --no-images --quiet` in a child
process, timed from outside; a child that only migrates a new database is timed too, and subtracted. Peak
memory is the child's maximum resident set (getrusage). Results: bench/results/imports-<engine>-<posts>.json.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "city council river bridge power station minister budget school metro shelling repair water residents "
    "volunteers energy grid evening morning report official statement region front talks"
).split()


def _sentence(rng, words=14):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _body(rng):
    paragraphs = [
        f'<p>{_sentence(rng)} <a href="https://example.org/{rng.randint(1, 999)}">{_sentence(rng, 3)}</a> '
        f"{_sentence(rng)}</p>"
        for _ in range(rng.randint(3, 6))
    ]
    paragraphs.insert(2, f"<h2>{_sentence(rng, 4)}</h2>")
    paragraphs.append(f"<blockquote><p>{_sentence(rng)}</p><cite>{_sentence(rng, 2)}</cite></blockquote>")
    return "\n\n".join(paragraphs)


def write_wxr(path, posts, seed=1):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Bench</title><link>https://bench.example</link><wp:wxr_version>1.2</wp:wxr_version>\n"
            "<wp:base_site_url>https://bench.example</wp:base_site_url>"
            "<wp:base_blog_url>https://bench.example</wp:base_blog_url>\n"
        )
        for n in range(20):
            out.write(
                f"<wp:author><wp:author_id>{n}</wp:author_id><wp:author_login><![CDATA[author{n}]]>"
                f"</wp:author_login><wp:author_display_name><![CDATA[Author {n}]]></wp:author_display_name>"
                "</wp:author>\n"
            )
        for n in range(10):
            out.write(
                f"<wp:category><wp:term_id>{n}</wp:term_id><wp:category_nicename>section-{n}"
                f"</wp:category_nicename><wp:cat_name><![CDATA[Section {n}]]></wp:cat_name></wp:category>\n"
            )
        for n in range(posts):
            year, month, day = 2010 + n * 15 // posts, 1 + n % 12, 1 + n % 28
            title = escape(_sentence(rng, 8))
            tags = "".join(
                f'<category domain="post_tag" nicename="tag-{t}"><![CDATA[Tag {t}]]></category>'
                for t in rng.sample(range(200), 2)
            )
            out.write(
                f"<item><title>{title}</title><link>https://bench.example/{year}/{month:02d}/post-{n}/</link>"
                f"<dc:creator><![CDATA[author{n % 20}]]></dc:creator>"
                f"<content:encoded><![CDATA[{_body(rng)}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[{_sentence(rng)}]]></excerpt:encoded>"
                f"<wp:post_id>{n + 1}</wp:post_id>"
                f"<wp:post_date_gmt>{year}-{month:02d}-{day:02d} {n % 24:02d}:{n % 60:02d}:00</wp:post_date_gmt>"
                f"<wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="section-{n % 10}"><![CDATA[Section {n % 10}]]></category>'
                f"{tags}</item>\n"
            )
        out.write("</channel>\n</rss>\n")


def write_ghost(path, posts, seed=2):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"db":[{"meta":{"exported_on":1714550000000,"version":"5.82.0"},"data":{"posts":[')
        for n in range(posts):
            year, month, day = 2010 + n * 15 // posts, 1 + n % 12, 1 + n % 28
            children = [
                {"type": "paragraph", "children": [{"type": "extended-text", "text": _sentence(rng), "format": n % 2}]}
                for _ in range(rng.randint(3, 6))
            ]
            children.insert(
                1,
                {
                    "type": "extended-heading",
                    "tag": "h2",
                    "children": [{"type": "extended-text", "text": _sentence(rng, 4)}],
                },
            )
            post = {
                "id": f"{n:024x}",
                "title": _sentence(rng, 8),
                "slug": f"post-{n}",
                "type": "post",
                "status": "published",
                "visibility": "public",
                "lexical": json.dumps({"root": {"children": children}}),
                "html": "",
                "custom_excerpt": _sentence(rng),
                "published_at": f"{year}-{month:02d}-{day:02d}T{n % 24:02d}:{n % 60:02d}:00.000Z",
                "updated_at": f"{year}-{month:02d}-{day:02d}T{n % 24:02d}:{n % 60:02d}:00.000Z",
            }
            out.write(("," if n else "") + json.dumps(post))
        out.write('],"posts_authors":[')
        out.write(
            ",".join(
                json.dumps({"id": f"pa{n}", "post_id": f"{n:024x}", "author_id": f"u{n % 20}", "sort_order": 0})
                for n in range(posts)
            )
        )
        out.write('],"posts_tags":[')
        out.write(
            ",".join(
                json.dumps(
                    {"id": f"pt{n}-{k}", "post_id": f"{n:024x}", "tag_id": f"t{(n * 7 + k) % 200}", "sort_order": k}
                )
                for n in range(posts)
                for k in range(3)
            )
        )
        out.write('],"tags":[')
        out.write(
            ",".join(
                json.dumps({"id": f"t{n}", "name": f"Tag {n}", "slug": f"tag-{n}", "visibility": "public"})
                for n in range(200)
            )
        )
        out.write('],"users":[')
        out.write(
            ",".join(
                json.dumps(
                    {
                        "id": f"u{n}",
                        "name": f"Author {n}",
                        "slug": f"author-{n}",
                        "password": "$2a$10$x",
                        "email": f"a{n}@bench.example",
                    }
                )
                for n in range(20)
            )
        )
        out.write("]}}]}\n")


def _child(args, data_dir):
    env = {**os.environ, "BULLETIN_DATA_DIR": str(data_dir)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bulletin", *args], env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode:
        sys.exit(f"{args} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--keep", help="write the exports into this folder and keep them")
    arguments = parser.parse_args()
    engine = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    results = {"posts": arguments.posts, "engine": engine}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(arguments.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        exports = {"wordpress": folder / "export.xml", "ghost": folder / "export.json"}
        write_wxr(exports["wordpress"], arguments.posts)
        write_ghost(exports["ghost"], arguments.posts)
        migrate_seconds, _ = _child(["manage", "migrate", "--verbosity", "0"], Path(scratch) / "migrate-only")
        migrated = resource.getrusage(resource.RUSAGE_CHILDREN)
        results["migrate_cpu_seconds"] = round(migrated.ru_utime + migrated.ru_stime, 1)
        results["migrate_seconds"] = round(migrate_seconds, 1)
        for kind, path in exports.items():
            if engine == "postgresql":
                subprocess.run([sys.executable, "-m", "bulletin", "manage", "flush", "--no-input"], check=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds, output = _child(["import", kind, str(path), "--no-images", "--quiet"], Path(scratch) / kind)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            peak = after.ru_maxrss
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            importing = seconds - migrate_seconds
            results[kind] = {
                "file_mb": round(path.stat().st_size / 1e6, 1),
                "whole_command_seconds": round(seconds, 1),
                "import_seconds": round(importing, 1),
                "posts_per_second": round(arguments.posts / importing),
                # On a shared machine the wall clock counts other jobs' time too: the child's own CPU time does not.
                "cpu_seconds": round(cpu, 1),
                "posts_per_cpu_second": round(arguments.posts / cpu),
                "peak_rss_mb": round(peak / 1024) if peak > before.ru_maxrss else "≤ an earlier child's",
                "summary": output.strip().splitlines()[:8],
            }
            print(json.dumps({kind: results[kind]}, indent=1, ensure_ascii=False), flush=True)
    out = ROOT / "bench" / "results" / f"imports-{engine}-{arguments.posts}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
