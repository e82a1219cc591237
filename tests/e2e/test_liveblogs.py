"""A live blog in Chromium against the real server: two editors post from the composer at once, a reader's open
page gets entries, edits and deletions live, a scrolled reader gets a button, old anchors find their page, the page
works without JavaScript and has no axe violations, and ending the blog reaches the open page.

The blog is made for this module (the e2e demo has none), so conftest runs it with the other tests that add
stories, after the rest.
"""

import re
import secrets

import pytest
from playwright.sync_api import expect

from .test_accessibility import AXE, _violations

pytestmark = pytest.mark.e2e

OLD_ENTRIES = 25
MAKE_BLOG = """
from django.contrib.auth import get_user_model
from bulletin.liveblogs.models import LiveBlogEntry, LiveBlogPage
from bulletin.newsroom import roles
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, Sequence
for name in ("blog-desk-1", "blog-desk-2"):
    roles.assign_role(get_user_model().objects.create_user(name, password={password!r}), "Editors")
blog = LiveBlogPage(title="Browser live blog", slug="browser-live-blog", summary="Follow it live.",
                    section=Section.objects.first(), live=False)
blog.bylines = [Byline(author=Author.objects.first())]
NewsFeedPage.objects.get().add_child(instance=blog)
blog.save_revision().publish()
LiveBlogEntry.objects.bulk_create(
    LiveBlogEntry(blog=blog, position=n, body=[("paragraph", f"<p>Earlier update {{n}}.</p>")])
    for n in range(1, {old} + 1)
)
Sequence.objects.update_or_create(name=f"liveblog:{{blog.pk}}", defaults={{"last_value": {old}}})
blog.save_revision().publish()  # renders the head and pages with the entries written in bulk
print(blog.pk, LiveBlogEntry.objects.get(blog=blog, position=1).pk)
"""
TWO_ENTRIES = """
from django.db import transaction
from wagtail.rich_text import RichText
from bulletin.liveblogs import composer
from bulletin.liveblogs.models import LiveBlogPage
blog = LiveBlogPage.objects.get(slug="browser-live-blog")
with transaction.atomic():  # one commit: both events reach the polling file together, a burst
    for text in ("Polled first.", "Polled second."):
        composer.add_entry(blog, {"body": [("paragraph", RichText(f"<p>{text}</p>"))]}, user=None)
"""
END_BLOG = """
from bulletin.liveblogs.models import LiveBlogPage
blog = LiveBlogPage.objects.get(slug="browser-live-blog")
blog.status = LiveBlogPage.ENDED
blog.save_revision().publish()
"""
URL = "/browser-live-blog/"
#: Generous for a loaded machine: the outbox is rendered in order, so a second editor's entry waits for the pages
#: of the first one's (at a load of 20 on 2 cores, 12 s). How fast entries arrive is measured by
#: bench/live_fanout.py --live-blog and bench/liveblog_publish.py, not here.
ARRIVAL = 30_000


@pytest.fixture(scope="module")
def blog(browser, server):
    """(blog id, id of its first entry, [two browser pages signed in as two editors])."""
    password = secrets.token_urlsafe(12)
    made = server.manage("shell", "-c", MAKE_BLOG.format(password=password, old=OLD_ENTRIES))
    assert made.returncode == 0, made.stderr
    blog_id, first_entry = made.stdout.split()[-2:]
    desks = []
    for name in ("blog-desk-1", "blog-desk-2"):
        context = browser.new_context(base_url=server.url)
        desk = context.new_page()
        desk.set_default_timeout(30_000)
        desk.goto("/admin/login/")
        desk.fill("#id_username", name)
        desk.fill("#id_password", password)
        desk.click("button[type=submit]")
        expect(desk).to_have_url(re.compile(r"/admin/$"))
        desks.append(desk)
    yield blog_id, first_entry, desks
    for desk in desks:
        desk.context.close()


def write(desk, text):
    """Type ``text`` into the composer's first paragraph (Wagtail's Draftail editor), replacing what it holds, and
    wait until Draftail has saved it into the form (it does so a quarter of a second after the last key)."""
    editor = desk.locator("[data-composer] [contenteditable=true]").first
    editor.click()
    expect(editor).to_be_focused()
    desk.keyboard.press("ControlOrMeta+a")
    desk.keyboard.type(text)
    expect(desk.locator("[data-composer] input[name='body-0-value']")).to_have_value(re.compile(re.escape(text)))


def submit(desk):
    with desk.expect_response(lambda r: r.request.method == "POST") as answer:
        desk.click("[data-composer] button[type=submit]")
    return answer.value


def entries(page):
    return page.locator("[data-live-entries] [data-entry]")


def test_two_editors_post_and_an_open_page_follows(blog, new_page):
    blog_id, _, (first, second) = blog
    reader = new_page()
    reader.goto(URL)
    expect(reader.locator("[data-live-ready]")).to_have_count(1)
    for desk in (first, second):
        desk.goto(f"/admin/live-blogs/{blog_id}/")
    write(first, "From the first editor.")
    write(second, "From the second editor.")
    assert submit(first).status == 302 and submit(second).status == 302
    expect(entries(reader).nth(0)).to_contain_text("From the second editor.", timeout=ARRIVAL)
    expect(entries(reader).nth(1)).to_contain_text("From the first editor.", timeout=ARRIVAL)
    expect(reader.locator("[data-announcer]")).to_contain_text("New update", timeout=7_000)
    assert reader.evaluate("window.scrollY") == 0

    # An edit: "Updated" on the open page. A deletion: gone from it.
    first.goto(f"/admin/live-blogs/{blog_id}/")
    first.locator("[data-entry]").first.get_by_role("link", name="Edit").click()
    write(first, "From the second editor, corrected.")
    assert submit(first).status == 302
    top = entries(reader).nth(0)
    expect(top).to_contain_text("corrected", timeout=ARRIVAL)
    expect(top.locator(".entry__updated")).to_contain_text("Updated")
    deleted = top.get_attribute("data-entry")
    second.goto(f"/admin/live-blogs/{blog_id}/")
    with second.expect_response(lambda r: r.request.method == "POST"):
        second.locator(f'[data-entry="{deleted}"] button', has_text="Delete").click()
    expect(reader.locator(f'[data-entry="{deleted}"]')).to_have_count(0, timeout=ARRIVAL)
    assert reader.problems == []


def test_an_entry_of_the_storys_blocks_and_a_bad_block_loses_nothing(blog, new_page):
    blog_id, _, (desk, _) = blog
    problems = []
    desk.on("pageerror", lambda error: problems.append(str(error)))
    reader = new_page()
    reader.goto(URL)
    expect(reader.locator("[data-live-ready]")).to_have_count(1)
    desk.goto(f"/admin/live-blogs/{blog_id}/")
    write(desk, "The mayor spoke at noon.")
    desk.locator("[data-composer] .c-sf-add-button").last.click()
    desk.get_by_role("option", name="Quote").click()
    desk.locator("[data-composer] textarea[name$='-value-text']").fill("We will rebuild.")
    desk.locator("[data-composer] .c-sf-add-button").last.click()
    desk.get_by_role("option", name="Embed").click()
    desk.locator("[data-composer] input[name$='-value'][type=url]").fill("https://example.org/not-a-provider")

    # An embed from no supported provider: the error is on that block, and every block keeps what was typed.
    assert submit(desk).status == 200
    expect(desk.locator("[data-composer]")).to_contain_text("this address is none of them")
    expect(desk.locator("[data-composer] [contenteditable=true]").first).to_contain_text("The mayor spoke at noon.")
    expect(desk.locator("[data-composer] textarea[name$='-value-text']")).to_have_value("We will rebuild.")
    embed = desk.locator("[data-composer] input[name$='-value'][type=url]")
    expect(embed).to_have_value("https://example.org/not-a-provider")

    # Without the embed, the entry posts and reaches the open page with its quote.
    embed.locator("xpath=ancestor::*[@data-streamfield-child][1]").get_by_role("button", name="Delete").click()
    assert submit(desk).status == 302
    posted = entries(reader).nth(0)
    expect(posted).to_contain_text("The mayor spoke at noon.", timeout=ARRIVAL)
    expect(posted.locator("blockquote")).to_contain_text("We will rebuild.")
    assert problems == [] and reader.problems == []


def test_a_scrolled_reader_gets_a_button_and_is_not_moved(blog, new_page):
    blog_id, _, (desk, _) = blog
    reader = new_page(viewport={"width": 390, "height": 600})
    reader.goto(URL)
    expect(reader.locator("[data-live-ready]")).to_have_count(1)
    reader.evaluate("window.scrollTo({top: 2500, behavior: 'instant'})")  # the stylesheet makes scrolls smooth
    scrolled = reader.evaluate("window.scrollY")
    in_view = entries(reader).nth(6)
    top_before = in_view.bounding_box()["y"]
    desk.goto(f"/admin/live-blogs/{blog_id}/")
    write(desk, "While the reader was reading.")
    assert submit(desk).status == 302
    button = reader.locator(".live-button")
    expect(button).to_have_text("1 new update", timeout=ARRIVAL)
    assert reader.evaluate("window.scrollY") == scrolled
    assert in_view.bounding_box()["y"] == top_before
    button.click()
    expect(entries(reader).first).to_contain_text("While the reader was reading.")


def test_an_old_anchor_finds_its_page_and_the_page_works_without_javascript(blog, new_page):
    _, first_entry, _ = blog
    reader = new_page()
    reader.goto(f"{URL}#entry-{first_entry}")
    expect(reader).to_have_url(re.compile(rf"{URL}page/1/#entry-{first_entry}$"))
    expect(reader.locator(f"#entry-{first_entry}")).to_be_visible()

    plain = new_page(java_script_enabled=False)
    plain.goto(URL)
    expect(plain.locator("[data-entry]")).to_have_count(20)
    plain.get_by_role("link", name="Older updates").click()
    expect(plain).to_have_url(re.compile(rf"{URL}page/\d+/$"))
    plain.get_by_role("link", name="Key events").click()
    expect(plain).to_have_url(re.compile(rf"{URL}key-events/$"))


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_no_axe_violations_on_a_live_blog(blog, new_page, width):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci`")
    page = new_page(bypass_csp=True, viewport={"width": width, "height": 800})
    page.goto(URL)
    assert _violations(page) == []


def test_with_the_stream_blocked_the_page_polls_and_a_burst_is_announced_once(blog, new_page, server):
    blog_id, _, _ = blog
    reader = new_page()
    reader.route(re.compile(r"/live/(\?.*)?$"), lambda route: route.abort("blockedbyclient"))
    polls = []
    reader.on("request", lambda request: f"/live/liveblog-{blog_id}.json" in request.url and polls.append(1))
    reader.goto(URL)
    expect(reader.locator("[data-live-ready]")).to_have_count(1)
    posted = server.manage("shell", "-c", TWO_ENTRIES)
    assert posted.returncode == 0, posted.stderr
    # Both entries come with one poll (every 3 s; the file may be cached for 2 s), and are announced together.
    expect(entries(reader).nth(0)).to_contain_text("Polled second.", timeout=ARRIVAL)
    expect(entries(reader).nth(1)).to_contain_text("Polled first.")
    assert polls, "the page did not poll its blog's polling file"
    expect(reader.locator("[data-announcer]")).to_contain_text("2 changes to the live blog.", timeout=7_000)
    assert [problem for problem in reader.problems if "ERR_BLOCKED_BY_CLIENT" not in problem] == []


def test_ending_the_blog_reaches_the_open_page(blog, new_page, server):
    reader = new_page()
    reader.goto(URL)
    expect(reader.locator("[data-live-ready]")).to_have_count(1)
    ended = server.manage("shell", "-c", END_BLOG)
    assert ended.returncode == 0, ended.stderr
    expect(reader.locator(".liveblog__ended")).to_contain_text("Coverage ended", timeout=ARRIVAL)
    reader.reload()
    expect(reader.locator("[data-live-entries]")).to_have_count(0)
