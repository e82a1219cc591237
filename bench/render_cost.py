"""CPU per rendered page, as `bulletin build` renders them: 350 story pages and 150 section, tag and author pages
of a built demo, in chunks of 50, in this one process (after one warm-up chunk of each).

Whole builds vary by ±10% from run to run on a shared machine; CPU time per page in one process is steadier.
Compare two versions by alternating them:

    BULLETIN_DATA_DIR=/tmp/b10k .venv/bin/python bench/render_cost.py
    cd /tmp/old && BULLETIN_DATA_DIR=/tmp/b10k PYTHONPATH=/tmp/old \
        /work/main/.venv/bin/python /work/main/bench/render_cost.py
"""

import os
import time

if __name__ == "__main__":  # not when a child process imports this module
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.dev")
    import django

    django.setup()
    from bulletin.publishing import build, plan

    urls = plan.all_urls()
    stories = [entry for entry in urls if entry.kind == plan.STORY][2000:2400]
    lists = [entry for entry in urls if entry.kind == plan.COLLECTION][:200]
    for name, chosen in (("story page", stories), ("list page", lists)):
        build._render_chunk(chosen[:50])  # warm-up: templates, the first images and renditions
        started = time.process_time()
        for i in range(50, len(chosen), 50):
            build._render_chunk(chosen[i : i + 50])
        print(f"{name}: {(time.process_time() - started) / (len(chosen) - 50) * 1000:.2f} ms CPU")
