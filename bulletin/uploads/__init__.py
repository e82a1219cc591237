"""Uploaded files: which documents are accepted, how /media/ files are sent, how large an image may be decoded.

Editors upload images and documents; a superuser then opens them in the same browser session as the admin, so
an upload must never run as a page of the site (issue 12: an SVG with a script made a new superuser). Three
walls: an allow-list of document types checked against the file's content (forms.py), every uploaded file that
is not a raster image sent as a download with ``default-src 'none'`` (views.py, and the same headers in the
front of `bulletin serve` and the nginx configuration), and Pillow's pixel limit set to Wagtail's (apps.py).
Imports nothing from other Bulletin apps.
"""
