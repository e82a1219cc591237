"""Peak memory and speed of `bulletin export` and `bulletin import bulletin` as the archive grows.

For each size, a demo newsroom of that many stories is built in a new data folder, exported, and the export is
imported into another new data folder (SQLite). Each command runs in its own process; its peak resident memory
is that process's ``ru_maxrss`` (os.wait4), its time the wall clock. Streaming means the peak should stay about
the same from the smallest size to the largest, while the time grows with the archive.

    .venv/bin/python bench/transfer_memory.py                 # 1,000 and 10,000 stories
    .venv/bin/python bench/transfer_memory.py 1000 20000
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = "2026-01-19T18:30+0200"


def run(env, *args):
    """Run `bulletin ARGS`; return (seconds, peak RSS in MB)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bulletin", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bulletin {' '.join(args)} failed:\n{process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024  # kilobytes on Linux


def measure(stories, scratch):
    source, target, export = scratch / f"source-{stories}", scratch / f"target-{stories}", scratch / f"export-{stories}"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    source_env = dict(base, BULLETIN_DATA_DIR=str(source), BULLETIN_PUBLISHER="off")
    target_env = dict(base, BULLETIN_DATA_DIR=str(target), BULLETIN_PUBLISHER="off")
    run(source_env, "demo", "--stories", str(stories), "--days", str(max(1, stories // 100)), "--now", NOW, "--quiet")
    run(target_env, "manage", "migrate", "-v0")  # so the import's time is the import's, not the migrations'
    export_seconds, export_mb = run(source_env, "export", str(export), "--quiet")
    import_seconds, import_mb = run(target_env, "import", "bulletin", str(export), "--quiet")
    size_mb = sum(p.stat().st_size for p in export.rglob("*") if p.is_file()) / 1e6
    result = {
        "stories": stories,
        "export_s": round(export_seconds, 1),
        "export_stories_per_s": round(stories / export_seconds),
        "export_peak_rss_mb": round(export_mb),
        "import_s": round(import_seconds, 1),
        "import_stories_per_s": round(stories / import_seconds),
        "import_peak_rss_mb": round(import_mb),
        "newsroom_jsonl_mb": round((export / "newsroom.jsonl").stat().st_size / 1e6, 1),
        "export_folder_mb": round(size_mb, 1),
    }
    for folder in (source, target, export):
        shutil.rmtree(folder)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bulletin-transfer-") as scratch:
        for stories in args.sizes:
            print(json.dumps(measure(stories, Path(scratch))), flush=True)


if __name__ == "__main__":
    main()
