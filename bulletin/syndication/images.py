"""Renditions of a story's feature image for feeds, structured data and link previews."""

import dataclasses
import functools
import mimetypes

from wagtail.images.models import Filter

#: Google's Article guidelines ask for the same picture in 16:9, 4:3 and 1:1, each at least 50,000 pixels.
ARTICLE_IMAGE_SPECS = ("fill-1200x675", "fill-1200x900", "fill-1200x1200")
ARTICLE_IMAGE_MIN_PIXELS = 50_000
#: X's summary_large_image card shows a 2:1 picture (at least 300×157); Open Graph consumers take it too.
SHARE_IMAGE_SPEC = "fill-1200x600"
#: Feed readers get the 16:9 rendition (the shape of most readers' cards).
FEED_IMAGE_SPEC = ARTICLE_IMAGE_SPECS[0]


@dataclasses.dataclass(frozen=True)
class Image:
    """One rendition as machines describe it: absolute URL, size in bytes, type and dimensions."""

    url: str
    length: int
    mime_type: str
    width: int
    height: int
    alt: str = ""


def describe(rendition, request, alt=""):
    return Image(
        url=request.build_absolute_uri(rendition.url),
        length=rendition.file.size,
        mime_type=mimetypes.guess_type(rendition.file.name)[0] or "application/octet-stream",
        width=rendition.width,
        height=rendition.height,
        alt=alt,
    )


@functools.cache
def _filter(spec):
    # Wagtail works out a spec's operations once per Filter object, and makes a new one for each spec string it is
    # given: about 0.3 of the 5.8 ms of CPU a story page takes in `bulletin build` (bench/render_cost.py).
    return Filter(spec=spec)


def renditions(image, specs, request, alt=""):
    """``image`` in each of ``specs`` (created on first use), described; [] when there is no image."""
    if image is None:
        return []
    made = image.get_renditions(*map(_filter, specs))
    return [describe(made[spec], request, alt) for spec in specs]


def article_images(story, request):
    """The feature image in 16:9, 4:3 and 1:1; a small original can give renditions below Google's minimum
    (Wagtail never enlarges), and those are left out rather than offered."""
    return [
        image
        for image in renditions(story.feature_image, ARTICLE_IMAGE_SPECS, request, story.feature_image_alt)
        if image.width * image.height >= ARTICLE_IMAGE_MIN_PIXELS
    ]
