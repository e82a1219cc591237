"""Peak memory of rendering an uploaded image the way a page render does, by image size and kind.

Guards against an upload that is small on disk but huge decoded (a 62-megapixel PNG of 182 KB took a worker to
1.2 GB): WAGTAILIMAGES_MAX_IMAGE_PIXELS in bulletin/settings/base.py is chosen from these numbers so that the
worst case stays under 512 MB.

Each measurement runs in a fresh process that sets Django up (test settings), then makes the renditions the way
Wagtail's ``Image.create_renditions`` does for ``get_renditions`` of several specs: the original read once into
memory, up to three renditions decoded at once in a thread pool. The specs are the ones the templates and
syndication/images.py ask for together (the story page's srcset, the article's 16:9, 4:3 and 1:1). The process's
peak resident memory (``ru_maxrss``) is reported next to its memory after set-up.

    .venv/bin/python bench/image_memory.py                 # the default sizes
    .venv/bin/python bench/image_memory.py 24 32 --kinds rgba-png
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Specs rendered together by one get_renditions() call: story_page.html's srcset, then syndication/images.py.
SPEC_GROUPS = [("width-480", "width-800", "width-1200"), ("fill-1200x675", "fill-1200x900", "fill-1200x1200")]
KINDS = ("rgba-png", "rgb-jpeg", "palette-png")


def make_image(path, megapixels, kind):
    """A ``megapixels`` image of ``kind`` at ``path``, 4:3; flat colour with a few shapes, so small on disk."""
    from PIL import Image, ImageDraw

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = int(megapixels * 1_000_000 / width)
    mode = {"rgba-png": "RGBA", "rgb-jpeg": "RGB", "palette-png": "P"}[kind]
    image = Image.new(
        mode, (width, height), (30, 90, 160, 200) if mode == "RGBA" else (30, 90, 160) if mode == "RGB" else 3
    )
    draw = ImageDraw.Draw(image)
    for i in range(0, width, max(1, width // 8)):
        draw.rectangle(
            (i, 0, i + width // 16, height // 2),
            fill=(200, 40, 40, 255) if mode == "RGBA" else (200, 40, 40) if mode == "RGB" else 9,
        )
    image.save(path, "PNG" if kind.endswith("png") else "JPEG", quality=80)
    return width, height


def child(path, width, height):
    """Runs in the measured process: set Django up, then render every spec group; print the numbers as JSON."""
    import concurrent.futures
    from io import BytesIO

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bulletin.settings.test")
    import django

    django.setup()
    from django.core.files import File
    from PIL import Image as PILImage
    from wagtail.images.models import Filter, Image

    PILImage.MAX_IMAGE_PIXELS = None  # measure beyond the project's limit too
    after_setup = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    image = Image(pk=1, title="bench", file=str(path), width=width, height=height, collection_id=1)
    original = Path(path).read_bytes()
    for specs in SPEC_GROUPS:
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as executor:  # as Image.create_renditions
            list(
                executor.map(
                    lambda spec: image.generate_rendition_file(
                        Filter(spec), source=File(BytesIO(original), name=Path(path).name)
                    ),
                    specs,
                )
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"after_setup_mb": after_setup // 1024, "peak_mb": peak // 1024}))


def measure(megapixels, kind, folder):
    path = Path(folder) / f"{kind}-{megapixels}.{'jpg' if kind.endswith('jpeg') else 'png'}"
    # The image is made in a process of its own: Linux carries a parent's peak RSS into a forked child's ru_maxrss.
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                f"from bench.image_memory import make_image; print(*make_image({str(path)!r}, {megapixels}, {kind!r}))"
            ),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    width, height = map(int, made.stdout.split())
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
        f"from bench.image_memory import child; child({str(path)!r}, {width}, {height})"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        print(out.stderr, file=sys.stderr)
    if out.returncode:
        return {"megapixels": megapixels, "kind": kind, "error": out.stderr.strip().splitlines()[-1]}
    return {
        "megapixels": megapixels,
        "kind": kind,
        "pixels": width * height,
        "file_kb": path.stat().st_size // 1024,
        **json.loads(out.stdout.strip().splitlines()[-1]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("megapixels", nargs="*", type=float, default=[8, 16, 24, 32, 40])
    parser.add_argument("--kinds", nargs="*", default=list(KINDS), choices=KINDS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for megapixels in args.megapixels:
            for kind in args.kinds:
                print(json.dumps(measure(megapixels, kind, folder)), flush=True)


if __name__ == "__main__":
    main()
