"""Hostile content: stored XSS in every place a story's words reach, CSRF on the admin, and hostile uploads.

Here nginx is no reference for the markup (it serves what Bulletin rendered); it is for uploads: the generated
configuration and `bulletin serve` must send the same protective headers for /media/.
"""

import json
import re
import time
import xml.etree.ElementTree as ET

import feedparser
import pytest
import requests
from bs4 import BeautifulSoup

from tests.servers import request

#: What a hostile headline, summary, caption, name… carries: a script, an attribute breakout with a handler.
PAYLOAD = '<script>alert("xss")</script>"><img src=x onerror=alert(1)>\'><svg onload=alert(2)>'
JAVASCRIPT_URL = "javascript:alert(document.domain)"

PUBLISH_HOSTILE_STORY = f"""
import json
from wagtail.images.models import Image
from bulletin.newsroom.models import Author, Byline, CitedSource, Correction, NewsFeedPage, Section, StoryPage, Tag
P, J = {PAYLOAD!r}, {JAVASCRIPT_URL!r}
image = Image.objects.first()
author = Author.objects.create(name="Eve " + P, slug="eve-hostile", job_title="Editor " + P, bio="Bio " + P)
tag = Tag.objects.create(name="Tag " + P, slug="hostile-tag", description="About " + P)
story = StoryPage(title="Headline " + P, slug="hostile-story", summary="Summary " + P, section=Section.objects.first(),
                  feature_image=image, feature_image_alt="Alt " + P, feature_image_caption="Caption " + P,
                  feature_image_credit="Credit " + P, live=False)
story.body = json.dumps([
    {{"type": "paragraph", "value": '<p>Body <script>alert(3)</script><a href="' + J + '">a link</a>'
                                   '<img src=x onerror=alert(4)><b onmouseover=alert(5)>bold</b></p>'}},
    {{"type": "heading", "value": "Heading " + P}},
    {{"type": "quote", "value": {{"text": "Quote " + P, "attribution": "Said " + P}}}},
    {{"type": "image", "value": {{"image": image.pk, "alt": "Alt " + P, "caption": "Caption " + P, "credit": P}}}},
    {{"type": "link_card", "value": {{"url": J, "title": "Card " + P, "description": "Card text " + P,
                                      "publisher": P, "story": None, "image": None}}}},
])
story.bylines = [Byline(author=author)]
story.sources = [CitedSource(name="Source " + P, url=J)]
story.corrections = [Correction(text="Correction " + P)]
NewsFeedPage.objects.get().add_child(instance=story)
story.tags.set([tag])
story.save_revision().publish()
print(story.url)
"""


@pytest.fixture(scope="module")
def hostile_story(front):
    """The URL of a story whose every field an editor types holds PAYLOAD, published through the models."""
    url = front.newsroom.manage(PUBLISH_HOSTILE_STORY).splitlines()[-1]
    deadline = time.monotonic() + 10  # the front sees the publisher's new generation within a second
    while request(front.port, url)[0] != 200 or b"Headline" not in request(front.port, "/")[2]:
        assert time.monotonic() < deadline, "the hostile story was not served"
        time.sleep(0.2)
    return url


def active_content(html, base_scripts_allowed=True):
    """Everything in ``html`` (parsed as a browser would: lxml's HTML parser) that would run script: inline or
    foreign <script>, on* handler attributes, javascript: URLs. Returns a list of descriptions."""
    found = []
    for element in BeautifulSoup(html, "lxml").find_all(True):
        if element.name == "script":
            src, kind = element.get("src"), (element.get("type") or "").lower()
            if kind == "application/ld+json" and not src:
                continue
            if not (base_scripts_allowed and src and src.startswith("/static/") and not element.string):
                found.append(f"<script {src or ''}>{(element.string or '')[:60]}")
        for name, value in element.attrs.items():
            if name.lower().startswith("on"):
                found.append(f"<{element.name} {name}=…>")
            values = value if isinstance(value, list) else [value]
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href", "data", "srcdoc") and any(
                re.sub(r"[\s\x00-\x1f]", "", v).lower().startswith(("javascript:", "data:text/html", "vbscript:"))
                for v in values
            ):
                found.append(f"<{element.name} {name}={value!r}>")
        if element.name in ("iframe", "object", "embed"):
            found.append(f"<{element.name}>")
    return found


def served(front, path):
    status, headers, body = request(front.port, path)
    assert status == 200, f"{path}: {status}"
    return body.decode()


@pytest.mark.parametrize(
    "path", ["story", "/", "/feed/widget/", "/tags/hostile-tag/", "/authors/eve-hostile/", "/sections/war/"]
)
def test_a_hostile_story_renders_inert_in_every_page(front, hostile_story, path):
    """Every place a headline, summary, body, caption, author name or tag name reaches, escaped (Django's
    autoescape; nh3 for the body's rich text): no script of the story's runs, no handler, no javascript: link."""
    path = hostile_story if path == "story" else path
    html = served(front, path)
    if path != "/sections/war/" or "Headline" in html:
        assert "Headline" in html or "Eve" in html or "Tag" in html
    found = active_content(html)
    assert found == [], f"{path} carries active content: {found}"


def test_a_hostile_story_is_inert_in_its_json_ld(front, hostile_story):
    """schema.org NewsArticle data sits in a <script type="application/ld+json">: a "</script>" in a headline
    must not close it (json_script escapes <, > and &), and the data must read back as the headline."""
    soup = BeautifulSoup(served(front, hostile_story), "lxml")
    blocks = soup.find_all("script", type="application/ld+json")
    assert blocks, "the story page has no JSON-LD"
    for block in blocks:
        assert "</script" not in block.string.lower() and "<!--" not in block.string
        assert "Headline " + PAYLOAD in strings_in(json.loads(block.string))


def strings_in(data):
    """Every string in parsed JSON, keys aside."""
    if isinstance(data, str):
        return [data]
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [text for value in values for text in strings_in(value)]


@pytest.mark.parametrize(
    "path", ["/feeds/rss.xml", "/feeds/atom.xml", "/tags/hostile-tag/rss.xml", "/authors/eve-hostile/atom.xml"]
)
def test_a_hostile_story_is_inert_in_rss_and_atom(front, hostile_story, path):
    """A feed reader renders an item's description (RSS) or html content (Atom) as HTML: after the XML is parsed,
    that HTML must hold no active content. Read as feedparser reads it, without its own sanitizing."""
    body = served(front, path)
    ET.fromstring(body.encode())  # well-formed XML, whatever the payload
    feed = feedparser.parse(body, sanitize_html=False)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if "Headline" in e.title)
    assert entry.title == "Headline " + PAYLOAD
    details = [entry.get("summary_detail")] + list(entry.get("content", []))
    for detail in filter(None, details):
        if detail.type in ("text/html", "application/xhtml+xml"):
            assert active_content(detail.value, base_scripts_allowed=False) == [], f"{path}: {detail.value[:200]}"


@pytest.mark.parametrize("path", ["/feeds/feed.json", "/tags/hostile-tag/feed.json"])
def test_a_hostile_story_is_inert_in_json_feed(front, hostile_story, path):
    """JSON Feed 1.1: content_html is HTML a reader renders; content_text, title and summary are plain text."""
    feed = json.loads(served(front, path))
    item = next(i for i in feed["items"] if i["title"].startswith("Headline"))
    assert item["title"] == "Headline " + PAYLOAD
    if "content_html" in item:
        assert active_content(item["content_html"], base_scripts_allowed=False) == []


def test_a_hostile_story_is_inert_in_the_live_polling_file(front, hostile_story):
    """/live/latest.json carries each new story's feed item as HTML that the page inserts: it must be inert."""
    events = json.loads(served(front, "/live/latest.json"))["events"]
    mine = [e for e in events if "Headline" in json.dumps(e)]
    assert mine, "the hostile story's event is not in latest.json"
    for event in mine:
        payload = event.get("data", event.get("payload", event))
        text = json.dumps(payload)
        for html in re.findall(r'"(html(?:_compact)?)": "((?:[^"\\]|\\.)*)"', text):
            assert active_content(json.loads(f'"{html[1]}"'), base_scripts_allowed=False) == []


def logged_in(front):
    """A requests session signed in to the admin as the demo editor, through the login form."""
    session = requests.Session()
    base = f"http://127.0.0.1:{front.port}"
    page = session.get(f"{base}/admin/login/", timeout=20)
    token = BeautifulSoup(page.text, "lxml").find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    done = session.post(
        f"{base}/admin/login/",
        timeout=20,
        allow_redirects=False,
        data={"csrfmiddlewaretoken": token, "username": front.newsroom.username, "password": front.newsroom.password},
    )
    assert done.status_code == 302, done.text[:500]
    return session, base


def test_an_admin_post_without_the_csrf_token_is_refused(front):
    """Django's CsrfViewMiddleware answers 403 to a POST without the token, signed in or not (the same behind
    nginx, which passes the request on)."""
    status = requests.post(
        f"http://127.0.0.1:{front.port}/admin/login/",
        timeout=20,
        data={"username": front.newsroom.username, "password": front.newsroom.password},
    ).status_code
    assert status == 403
    session, base = logged_in(front)
    story_id = front.newsroom.manage(
        "from bulletin.newsroom.models import StoryPage; print(StoryPage.objects.live().first().pk)"
    )
    answer = session.post(
        f"{base}/admin/pages/{story_id}/unpublish/",
        timeout=20,
        allow_redirects=False,
        headers={"Origin": "http://evil.example"},
        data={},
    )
    assert answer.status_code == 403
    still_live = f"from bulletin.newsroom.models import StoryPage; print(StoryPage.objects.get(pk={story_id}).live)"
    assert front.newsroom.manage(still_live) == "True"


def submit_upload(session, base, path, file_name, content, content_type):
    """Fill the admin's upload form at ``path`` as a browser would and send ``file_name``; returns the answer."""
    page = session.get(base + path, timeout=20)
    assert page.status_code == 200, f"{path}: {page.status_code}"
    form = next(f for f in BeautifulSoup(page.text, "lxml").find_all("form") if f.find("input", type="file"))
    data = {}
    for field in form.find_all("input"):
        if field.get("name") and field.get("type") not in ("file", "submit", "checkbox"):
            data[field["name"]] = field.get("value", "")
    for select in form.find_all("select"):
        option = select.find("option", selected=True) or select.find("option", value=re.compile(".+"))
        if select.get("name") and option is not None:
            data[select["name"]] = option.get("value", "")
    data["title"] = file_name
    file_field = form.find("input", type="file")["name"]
    action = form.get("action") or path
    return session.post(
        base + action if action.startswith("/") else base + path,
        timeout=30,
        allow_redirects=False,
        data=data,
        files={file_field: (file_name, content, content_type)},
    )


HOSTILE_FILES = [
    ("evil.html", b"<!doctype html><script>alert(document.cookie)</script>", "text/html"),
    (
        "evil.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        "image/svg+xml",
    ),
    ("evil.js", b"alert(document.cookie)", "text/javascript"),
    (
        "evil.xhtml",
        b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
        "application/xhtml+xml",
    ),
]


def assert_never_active(front, url, servers_to_ask):
    """``url`` answers 404 or 403 everywhere, or as a download that cannot run: attachment, nosniff, and a CSP of
    default-src 'none'. Every server is asked before the test fails, so the message shows nginx's answer too."""
    problems = []
    for name, port in servers_to_ask.items():
        status, headers, _ = request(port, url)
        if status in (403, 404, 410):
            continue
        if status != 200:
            problems.append(f"{name} {url}: {status}")
            continue
        if not headers.get("Content-Disposition", "").startswith("attachment"):
            problems.append(f"{name} {url}: served inline ({headers.get('Content-Type')})")
        if headers.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{name} {url}: no nosniff")
        if "default-src 'none'" not in headers.get("Content-Security-Policy", ""):
            problems.append(f"{name} {url}: no default-src 'none' policy")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("file_name", "content", "content_type"), HOSTILE_FILES)
def test_a_hostile_document_is_refused_or_only_downloaded(front, nginx, file_name, content, content_type):
    """An uploaded document must never run on the site's origin: refused by the upload form, or served as an
    attachment with nosniff and `Content-Security-Policy: default-src 'none'`, by Bulletin and by nginx (the
    generated configuration's /media/ location), at its document URL and at its file under /media/."""
    session, base = logged_in(front)
    submit_upload(session, base, "/admin/documents/add/", file_name, content, content_type)
    found = front.newsroom.manage(
        "from wagtail.documents.models import Document\n"
        f"d = Document.objects.filter(title={file_name!r}).last()\n"
        "print(d.url + ' /media/' + d.file.name if d else '')"
    )
    for url in found.split():
        assert_never_active(front, url, {"bulletin": front.port, "nginx": nginx.port})


@pytest.mark.parametrize(
    ("file_name", "content", "content_type"),
    HOSTILE_FILES[:2] + [("evil.png", b"<!doctype html><script>alert(1)</script>", "image/png")],
)
def test_a_hostile_image_is_refused_or_only_downloaded(front, nginx, file_name, content, content_type):
    """An SVG or HTML file uploaded as an image: Wagtail refuses what is not a raster image (WAGTAILIMAGES_EXTENSIONS
    and the image's own bytes); anything that got through is never served as active content."""
    session, base = logged_in(front)
    submit_upload(session, base, "/admin/images/add/", file_name, content, content_type)
    found = front.newsroom.manage(
        "from wagtail.images.models import Image\n"
        f"i = Image.objects.filter(title={file_name!r}).last()\n"
        "print('/media/' + i.file.name if i else '')"
    )
    for url in found.split():
        assert_never_active(front, url, {"bulletin": front.port, "nginx": nginx.port})


def test_an_active_file_under_media_is_never_served_inline(front, nginx):
    """Whatever put it there (an old upload, a restored backup), an HTML or SVG file in the media folder is sent
    by both fronts as a download that cannot run."""
    media = front.newsroom.media / "documents"
    media.mkdir(parents=True, exist_ok=True)
    for file_name, content, _ in HOSTILE_FILES:
        (media / ("planted-" + file_name)).write_bytes(content)
        assert_never_active(
            front, f"/media/documents/planted-{file_name}", {"bulletin": front.port, "nginx": nginx.port}
        )
