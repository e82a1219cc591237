"""Browser end-to-end fixtures: a real `bulletin serve` on a fresh demo newsroom, and Debian's Chromium driven by
Playwright (sync API). Nothing here uses pytest-django's database: the tests talk to the server over HTTP only.

`browser` and `page` replace pytest-playwright's fixtures of the same name, which would want Playwright's own
downloaded browsers; this suite launches /usr/bin/chromium (docs/development.md) and never downloads anything.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers import demo_copy

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BULLETIN = str(BIN / "bulletin") if (BIN / "bulletin").exists() else shutil.which("bulletin") or "bulletin"
CHROMIUM = os.environ.get("BULLETIN_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
DEMO_STORIES = 60
#: The same fixed end of the timeline as the unit tests, so pages and screenshots are the same in every run.
DEMO_NOW = "2026-01-19T18:30+0200"


def pytest_collection_modifyitems(config, items):
    """Run the tests that add stories to the shared server's News Feed last: the live, live blog and embeds tests,
    then the scheduled-publishing test (which checks that its story is the newest)."""
    last = {
        "e2e/test_live.py": 1,
        "e2e/test_liveblogs.py": 1,
        "e2e/test_embeds.py": 2,
        "e2e/test_scheduled_publishing.py": 3,
    }

    def order(item):
        module = item.nodeid.split("::")[0]
        return next((rank for name, rank in last.items() if module.endswith(name)), 0)

    items.sort(key=order)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict
    process: subprocess.Popen = field(repr=False)
    log: Path = field(repr=False)

    def get(self, path, timeout=10):
        """(status, text) of GET path, following no redirects."""
        request = urllib.request.Request(urllib.parse.urljoin(self.url, path))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def html(self, path):
        status, text = self.get(path)
        assert status == 200, f"GET {path} answered {status}"
        return text

    def manage(self, *args, timeout=120):
        """Run `bulletin manage ARGS` on the server's database."""
        return subprocess.run(
            [BULLETIN, "manage", *args], env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout
        )

    def output(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture(scope="session")
def server(tmp_path_factory, local_embed_providers):
    """A fresh demo newsroom (60 stories) in its own SQLite file, served by `bulletin serve` on a free port.
    Its embeds come from the local provider servers (tests/embeds/provider_servers.py)."""
    data_dir = tmp_path_factory.mktemp("bulletin-e2e")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the CLI's own default (dev), not the pytest one
    env.update(BULLETIN_DATA_DIR=str(data_dir), BULLETIN_SCHEDULER_INTERVAL="1", PYTHONUNBUFFERED="1")
    env.update(local_embed_providers.env())
    # No live blogs: the tests read the newest story as a story; tests/e2e/test_liveblogs.py adds its own.
    demo_args = ["--stories", str(DEMO_STORIES), "--now", DEMO_NOW, "--quiet", "--no-live-blogs"]
    demo_copy(tmp_path_factory, data_dir, *demo_args, build=False)

    port = _free_port()
    # Canonical URLs, feeds and sitemaps name the site's own address, as they would on a real server.
    env["BULLETIN_BASE_URL"] = f"http://127.0.0.1:{port}"
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [BULLETIN, "serve", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    srv = Server(f"http://127.0.0.1:{port}", data_dir, env, process, log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"`bulletin serve` exited with {process.returncode}:\n{srv.output()}")
        try:
            if srv.get("/", timeout=2)[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.terminate()
            pytest.fail(f"`bulletin serve` did not answer within 60 s:\n{srv.output()}")
        time.sleep(0.2)
    try:
        yield srv
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.returncode not in (0, -15, 143) and process.returncode is not None:
            print(f"`bulletin serve` exited with {process.returncode}:\n{srv.output()}", file=sys.stderr)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for each test module.

    Not one for the session: Playwright's sync API keeps its event loop marked as running in the main thread while
    it is open, and Django refuses database access from a thread with a running loop (SynchronousOnlyOperation).
    Closed at the end of each module, it leaves the thread clean for the database tests that the same pytest-xdist
    worker runs next."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _only_loopback(route):
    host = urllib.parse.urlsplit(route.request.url).hostname or ""
    if host in LOOPBACK:
        route.continue_()
    else:
        route.abort("blockedbyclient")


@pytest.fixture
def new_page(browser, server):
    """new_page(**context_options) -> a Page in a fresh context whose base URL is the server's; only loopback
    requests leave it. Page errors and console errors are collected on page.problems."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(base_url=server.url, **options)
        context.route("**/*", _only_loopback)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"pageerror: {error}"))
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280×800) with JavaScript on."""
    return new_page()


# --- helpers shared by the tests -------------------------------------------------------------------------------

#: News style, as rendered by the server: "Jan. 19, 2026, 4:25 p.m.", "May 3, 2026, noon", "Sept. 9, 2026, 9 a.m.".
NEWS_TIME = re.compile(
    r"^(Jan\.|Feb\.|March|April|May|June|July|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.) [1-9]\d?, \d{4}, "
    r"(\d{1,2}(:\d{2})? (a\.m\.|p\.m\.)|noon|midnight)$"
)
#: A story's time in the News Feed, under the heading of its day: "4:25 p.m.", "noon".
NEWS_CLOCK = re.compile(r"^(\d{1,2}(:\d{2})? (a\.m\.|p\.m\.)|noon|midnight)$")
#: An update time may be shortened when it falls on the day of first publication ("6:40 p.m.").
NEWS_UPDATE_TIME = re.compile(
    r"^((Jan\.|Feb\.|March|April|May|June|July|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.) [1-9]\d?, (\d{4}, )?)?"
    r"(\d{1,2}(:\d{2})? (a\.m\.|p\.m\.)|noon|midnight)$"
)

FEED_ITEM = re.compile(r'<li class="feed-item[^"]*" data-position="(\d+)"[^>]*>.*?<a href="([^"]+)"', re.S)
SHOW_MORE = re.compile(r'<a class="button" href="([^"]+)" data-show-more>')


def feed_positions(server, count):
    """The first ``count`` (position, href) pairs of the News Feed, read over HTTP from / and the archive pages."""
    found, path, seen = {}, "/", set()
    while path and len(found) < count and path not in seen:
        seen.add(path)
        html = server.html(path)
        for position, href in FEED_ITEM.findall(html):
            found[int(position)] = href
        more = SHOW_MORE.search(html)
        path = more.group(1) if more else None
    # An archive page can overlap what is already shown; keep positions older than the previous ones in order.
    return sorted(found.items(), reverse=True)[:count]


def story_links(html):
    """Story URLs linked from feed items on a News Feed or archive page."""
    return [href for _, href in FEED_ITEM.findall(html)]


LINK_CARD_TO_STORY = re.compile(r'<aside class="link-card"[^>]*>\s*<a class="link-card__link" href="(/[^"]*)"')


TAG_LINK = re.compile(r'href="/tags/[^"]+"')


@pytest.fixture(scope="session")
def stories(server):
    """Story paths found by crawling the News Feed: ``first`` (the newest story with tags: a test that ran before
    may have published an untagged story or a live blog) and ``with_link_card`` (the first story whose body has a
    link card to another Bulletin story, as (path, linked story path))."""
    found = {}
    path, seen = "/", set()
    while path and path not in seen and "with_link_card" not in found:
        seen.add(path)
        html = server.html(path)
        for href in story_links(html):
            story = server.html(href)
            if "first" not in found and TAG_LINK.search(story):
                found["first"] = href
            card = LINK_CARD_TO_STORY.search(story)
            if card:
                found["with_link_card"] = (href, card.group(1))
                break
        more = SHOW_MORE.search(html)
        path = more.group(1) if more else None
    assert "first" in found, "the News Feed lists no stories"
    assert "with_link_card" in found, f"no story with a link card to a story on {sorted(seen)}"
    return found


# Note: the pages' CSP (script-src 'self') forbids eval, so page.wait_for_function("expression") fails there;
# wait with locators and playwright.sync_api.expect instead.


PAGE_TYPES = ["news-feed", "archive-page", "story", "section", "tag", "author"]


@pytest.fixture(scope="session")
def page_paths(server, stories):
    """One path per page type; section, tag and author are those of the newest story with tags."""
    story = server.html(stories["first"])

    def first(pattern):
        match = re.search(pattern, story)
        assert match, f"no {pattern} on {stories['first']}"
        return match.group(1)

    return {
        "news-feed": "/",
        "archive-page": "/page/2/",
        "story": stories["first"],
        "section": first(r'<p class="story__section"><a href="(/sections/[^"]+)"'),
        "tag": first(r'href="(/tags/[^"]+)"'),
        "author": first(r'href="(/authors/[^"]+)"'),
        "sections-index": "/sections/",
        "authors-index": "/authors/",
    }


# --- Blocks added to a story in the admin (tests/e2e/test_desk.py, test_embeds.py) -------------------------------


def added(locator, action):
    """The element that ``action`` adds to ``locator``'s matches, once it is there: Wagtail inserts a new block
    after the click that asks for it returns, so under load ``.last`` could still be the previous block's (the
    embed's address went into a link card's URL field: "not both" and "This field is required")."""
    from playwright.sync_api import expect

    count = locator.count()
    action()
    expect(locator).to_have_count(count + 1)
    return locator.last


def add_embed(page, url):
    """An Embed block with ``url``, a post the local provider servers answer for (tests/embeds/provider_servers.py)."""
    page.locator("button.c-sf-add-button").last.click()
    urls = page.locator('input[type=url][name^="body-"]')
    added(urls, lambda: page.get_by_role("option", name="Embed").click()).fill(url)
