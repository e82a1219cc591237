"""The pixel limit counts decoded pixels, so an image small on disk but huge decoded is refused at upload
(issue 12, finding 11: a 62-megapixel PNG of 182 KB took a worker to 1.2 GB), and one at the limit renders
within 512 MB."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Collection

from bulletin.newsroom import roles

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
LIMIT = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS


def one_bit_png(width, height):
    """A black-and-white PNG: a few KB on disk whatever its size in pixels."""
    buffer = io.BytesIO()
    PILImage.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, name, content):
    return client.post(
        reverse("wagtailimages:add"),
        {
            "title": name,
            "file": SimpleUploadedFile(name, content, "image/png"),
            "collection": Collection.get_first_root_node().pk,
        },
    )


def test_the_limit_is_the_measured_one():
    assert LIMIT == 12_500_000  # bench/README.md: an RGBA PNG this size peaks near 430 MB while rendered
    assert PILImage.MAX_IMAGE_PIXELS == LIMIT


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_just_over_the_limit_is_refused_with_a_clear_error(client_for):
    content = one_bit_png(5000, LIMIT // 5000 + 1)
    assert len(content) < 100_000  # small on disk: the file size limit alone would let it through
    response = upload(client_for(roles.EDITORS), "bomb.png", content)
    assert response.status_code == 200
    error = str(response.context["form"].errors["file"])
    assert "too many pixels" in error and f"{LIMIT}" in error
    assert not Image.objects.filter(title="bomb.png").exists()


def test_an_image_at_the_limit_is_accepted(client_for):
    response = upload(client_for(roles.EDITORS), "big.png", one_bit_png(5000, LIMIT // 5000))
    assert response.status_code == 302
    image = Image.objects.get(title="big.png")
    assert image.width * image.height == LIMIT


def test_renditions_of_an_image_at_the_limit_stay_under_512_mb():
    """bench/image_memory.py, worst kind (RGBA PNG), in a process of its own: the peak RSS of the renditions a
    page asks for together, three at a time as Wagtail makes them."""
    code = (
        f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); import tempfile; "
        f"from bench.image_memory import measure; d = tempfile.mkdtemp(); "
        f"print(json.dumps(measure({LIMIT / 1e6}, 'rgba-png', d)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    import json

    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "error" not in result, result
    assert result["peak_mb"] < 512, result
