"""How uploaded files are served: one rule for `bulletin serve`, the nginx configuration and Django's /media/ view.

Uploads are never served as active content: every answer forbids sniffing and carries a policy that lets
nothing run, and anything but a raster image is a download (an SVG or HTML "image" would otherwise run script
on the site's origin).
"""

from pathlib import PurePosixPath

#: Suffixes of the raster images a browser may show inline.
INLINE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")
#: Nothing in an uploaded file may load, run or frame anything.
MEDIA_POLICY = "default-src 'none'; sandbox"


def media_headers(name):
    """The security headers for the uploaded file called ``name``, as (name, value) pairs."""
    headers = [("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", MEDIA_POLICY)]
    if PurePosixPath(name).suffix.lower() not in INLINE_SUFFIXES:
        headers.append(("Content-Disposition", "attachment"))
    return headers
