"""The editors' redirects (Wagtail's Settings → Redirects) as files in public/, so the static servers answer
them without the app: the front of `bulletin serve` reads them (front/redirects.py) and nginx includes them as
``map`` blocks (web/nginx.py).

Wagtail's RedirectMiddleware only redirects a URL that would otherwise be a 404; a WordPress link such as
``/?p=123`` is the News Feed's URL with a query, which the static servers answer with the feed's file. Written
here, in nginx's map syntax, one ``"old path" "new URL";`` line each: PATHS for paths (stored as Wagtail
normalises them, without a trailing slash), QUERIES for a path with its query string. A redirect from the URL of a
live story is left out, as the app leaves it out (the story answers). Both files are hidden (the static servers
never serve dot files) and rewritten whole, atomically, when a redirect changes (publishing/handlers.py), by
`bulletin build` and after `bulletin import`.
"""

from django.utils.encoding import iri_to_uri
from wagtail.contrib.redirects.models import Redirect

from bulletin.newsroom.models import StoryPage

PATHS = ".redirects-paths.map"
QUERIES = ".redirects-queries.map"


def _quoted(value):
    # nginx map values are quoted strings; a quote, backslash or line break could end the line early.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "").replace("\r", "") + '"'


def entries():
    """(old path, new URL) of every redirect the static servers should answer, old path as Wagtail stores it."""
    # A story's url_path starts with the News Feed's own ("/home/slug/"), which is the site's root: "/slug/".
    live = {
        Redirect.normalise_path("/" + url_path.split("/", 2)[2])
        for url_path in StoryPage.objects.live().values_list("url_path", flat=True)
    }
    found = []
    for old_path, link, page_id in Redirect.objects.filter(site=None).values_list(
        "old_path", "redirect_link", "redirect_page_id"
    ):
        if page_id and not link:
            page = StoryPage.objects.filter(pk=page_id).first()
            link = page.url if page else ""
        if link and old_path not in live and not any(c in link for c in "\n\r"):
            found.append((old_path, iri_to_uri(link)))  # Location headers are ASCII: /бюджет/ → /%D0%B1…/
    return found


def render():
    """{file name: bytes} of the two map files."""
    paths, queries = [], []
    for old_path, link in entries():
        (queries if "?" in old_path else paths).append(f"{_quoted(old_path)} {_quoted(link)};\n")
    return {PATHS: "".join(sorted(paths)).encode(), QUERIES: "".join(sorted(queries)).encode()}


def write(storage):
    """Write both files into ``storage`` (a publishing FilesystemStorage) and tell the front of the change."""
    for name, data in render().items():
        storage.write_own_file(name, data)
    storage.bump_generation()


def parse(text):
    """{old path: new URL} from a map file (the front's reading of what render() wrote)."""
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.endswith(";") or not line.startswith('"'):
            continue
        key, _, value = _split_quoted(line[:-1])
        if key is not None and value is not None:
            found[key] = value
    return found


def _split_quoted(line):
    values, current, escaped, inside = [], [], False, False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and inside:
            escaped = True
        elif char == '"':
            if inside:
                values.append("".join(current))
                current = []
            inside = not inside
        elif inside:
            current.append(char)
    if len(values) != 2:
        return None, None, None
    return values[0], None, values[1]
