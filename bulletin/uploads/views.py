"""/media/ as Django sends it (the test client, `bulletin serve --get`, a server that passes everything on)."""

from django.http import Http404
from django.views.static import serve

from .serving import media_headers


def serve_media(request, path, document_root):
    """Django's static file view, plus the headers that stop an uploaded file from acting as a page of this site
    (serving.py: the same rule as the front of `bulletin serve` and the nginx configuration)."""
    try:
        response = serve(request, path, document_root=document_root)
    except OSError as error:  # a name too long for the file system, say: there is no such file (nginx: 404)
        raise Http404("No such file") from error
    for name, value in media_headers(path):
        response[name] = value
    return response
