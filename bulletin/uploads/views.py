"""/media/ as Django sends it (the test client, `bulletin serve --get`, a server that passes everything on)."""

from django.views.static import serve

#: Uploads a browser may show inline: raster images only. An SVG is an XML document that can carry script.
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"}


def serve_media(request, path, document_root):
    """Django's static file view, plus headers that stop an uploaded file from acting as a page of this site.

    The same headers are set by the front of `bulletin serve` and by the nginx configuration (docs/serving.md).
    """
    response = serve(request, path, document_root=document_root)
    response["X-Content-Type-Options"] = "nosniff"
    # sandbox too: a document opened anyway (a browser's viewer) runs as a unique origin, without this site's cookies.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    return response
