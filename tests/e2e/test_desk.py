"""A day on the desk (issue 14): a journalist writes, finds, updates, corrects, schedules, unpublishes and quick-posts
in the real admin, in Chromium, as an Author and as an Editor; each step checks what readers get from the server.

The editor's run takes the screenshots of docs/editing.md (docs/screenshots/). These tests add stories to the
shared server; none of them needs to be the newest, so they run in the usual order.
"""

import http.client
import io
import re
import secrets
import time
import urllib.parse
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import REPO, add_embed, added

pytestmark = pytest.mark.e2e

SCREENSHOTS = REPO / "docs" / "screenshots"
PASSWORD = secrets.token_urlsafe(12)
#: Each login has an author profile of its own, as every login of the demo has.
USERS = """
from django.contrib.auth import get_user_model
from bulletin.newsroom import roles
from bulletin.newsroom.models import Author
for username, role, name in [("desk-author", "Authors", "Desk Author"), ("desk-editor", "Editors", "Desk Editor")]:
    user = get_user_model().objects.create_user(username, password={password!r}, first_name=name)
    roles.assign_role(user, role)
    Author.objects.create(name=name, slug=username, user=user)
"""
STORIES = """
import json
from bulletin.newsroom.models import StoryPage
stories = StoryPage.objects.filter(title__startswith={prefix!r})
print(json.dumps([[story.title, story.live] for story in stories]))
"""
ROLES = {"author": "desk-author", "editor": "desk-editor"}


@pytest.fixture(scope="module")
def desk_users(server):
    run = server.manage("shell", "-c", USERS.format(password=PASSWORD))
    assert run.returncode == 0, run.stderr


@pytest.fixture(scope="module")
def signed_in(browser, server, desk_users):
    """signed_in(role) -> a desktop page signed in to the admin as that role's desk user (one sign-in per role)."""
    pages = {}

    def sign_in(role):
        if role not in pages:
            context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto("/admin/login/")
            page.fill("#id_username", ROLES[role])
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(re.compile(r"/admin/$"))
            pages[role] = page
        return pages[role]

    yield sign_in
    for page in pages.values():
        page.context.close()


def screenshot(page, name, take):
    if take:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def reader_sees(server, path, *texts, status=200, timeout=20):
    """Wait until GET path (as a reader: no cookies) answers ``status`` with every one of ``texts``; returns the
    page. The publisher writes the files a moment after the admin answers."""
    deadline = time.monotonic() + timeout
    while True:
        got, html = server.get(path)
        if got == status and all(text in html for text in texts):
            return html
        assert time.monotonic() < deadline, f"GET {path}: {got}, missing {[t for t in texts if t not in html]}"
        time.sleep(0.25)


def answer_of(server, path):
    """(status, Location) of GET path, redirects not followed."""
    parts = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def reader_gets(server, path, statuses, timeout=20):
    """Wait until GET path answers one of ``statuses`` (the publisher removes files a moment after the admin
    answers); returns (status, Location)."""
    deadline = time.monotonic() + timeout
    while (answer := answer_of(server, path))[0] not in statuses:
        assert time.monotonic() < deadline, f"GET {path}: {answer}, expected one of {statuses}"
        time.sleep(0.25)
    return answer


def stories_titled(server, prefix):
    import json

    run = server.manage("shell", "-c", STORIES.format(prefix=prefix))
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def new_story_form(page):
    """The Add story form under the News Feed page."""
    page.goto("/admin/stories/choose_parent/")
    if "/pages/add/" not in page.url:  # one possible parent: Wagtail goes straight to the form; else pick it
        page.get_by_role("radio").first.check()
        page.get_by_role("button", name=re.compile("Continue|Create")).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/newsroom/storypage/\d+/"))


def choose_byline(page, author_name, index=0):
    page.locator(f"#id_bylines-{index}-author-chooser").get_by_role("button", name=re.compile("Choose")).click()
    modal = page.locator(".modal-content")
    modal.get_by_role("link", name=author_name).click()
    expect(page.locator(f"#id_bylines-{index}-author-title")).to_have_text(author_name)


def publish(page):
    """Publish from the editor's footer: the action menu's Publish."""
    page.locator("footer [aria-label='More actions'], footer .w-dropdown__toggle").first.click()
    page.get_by_role("button", name=re.compile(r"^Publish$")).click()


def expect_message(page, text):
    """Wagtail's message after a save: publishing renders pages first, which takes a while on a busy machine."""
    expect(page.locator(".messages")).to_contain_text(text, timeout=30_000)


def autosave_state(page):
    return page.locator("#w-autosave-indicator").get_attribute("data-w-autosave-state-value") or "idle"


# --- the autosave race ----------------------------------------------------------------------------------------


def test_saving_a_new_story_right_after_typing_creates_it_once(signed_in, server):
    """Save draft or Publish 300–500 ms after the last keystroke of the headline, as a fast editor clicks.

    Wagtail's autosave notices the change about a second after the last keystroke and then creates the same story
    in the background, with a POST to the Add form's URL; the click's submit is on its way meanwhile. Whichever
    reaches the database second got "slug already in use" (the editor stuck on the Add form, a stray draft left).
    So: no autosave request may leave after the click; the last try clicks while an autosave is running, which must
    wait for it and then save the story it created. Each try must leave the Add form, with one story."""
    page = signed_in("editor")
    prefix = f"Race {secrets.token_hex(3)}"
    tries = [("Save draft", 300), ("Publish", 350), ("Save draft", 400), ("Publish", 450), ("Publish", 500)]
    tries.append(("Save draft", "during autosave"))
    late_autosaves = []

    def on_console(message):
        if message.text.startswith("late autosave"):
            late_autosaves.append(message.text)

    page.on("console", on_console)
    try:
        for number, (action, delay) in enumerate(tries):
            new_story_form(page)
            # Reports an autosave that begins (is not cancelled) after the click's submit: it races the click's save.
            page.evaluate(
                """n => {
                    document.addEventListener("submit", () => { window.deskSubmitted = true; }, true);
                    document.addEventListener("w-autosave:save", (event) => {
                        if (window.deskSubmitted && !event.defaultPrevented) console.log(`late autosave in try ${n}`);
                    });
                }""",
                number,
            )
            # Wagtail starts watching the form for changes 2 s after it opens; an editor is not faster than that.
            page.wait_for_function(
                """() => !!window.wagtail.app.getControllerForElementAndIdentifier(
                    document.querySelector("form[data-edit-form]"), "w-unsaved")?.initialFormData"""
            )
            page.select_option("#id_section", label="War")
            page.fill("#id_summary", "A story saved the moment its headline was typed.")
            choose_byline(page, "Desk Editor")
            page.locator("#id_title").click()
            page.keyboard.type(f"{prefix} {number} {action}", delay=15)
            if delay == "during autosave":
                with page.expect_request(lambda r: r.method == "POST" and "json" in (r.headers.get("accept") or "")):
                    pass  # wait until an autosave has just left, then click
            else:
                page.wait_for_timeout(delay)  # the editor's pause before clicking: the timing being reproduced
            if action == "Publish":
                publish(page)
            else:
                page.get_by_role("button", name="Save draft").click()
            expect(page).not_to_have_url(re.compile(r"/pages/add/"))
            expect(page.locator(".messages")).not_to_contain_text("already in use")
            expected = "published" if action == "Publish" else re.compile("created|updated")
            expect_message(page, expected)
    finally:
        page.remove_listener("console", on_console)
    assert not late_autosaves, late_autosaves
    titles = stories_titled(server, prefix)
    assert sorted(title for title, _ in titles) == sorted(f"{prefix} {n} {a}" for n, (a, _) in enumerate(tries))
    assert all(live == title.endswith("Publish") for title, live in titles)


# --- a day on the desk ----------------------------------------------------------------------------------------


def a_png(color):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), color).save(buffer, "PNG")
    return buffer.getvalue()


def add_paragraph(page, text):
    page.locator("#panel-child-content-body-section").get_by_role("button", name="Insert a block").last.click()
    editors = page.locator("#panel-child-content-body-section .public-DraftEditor-content")
    editor = added(editors, lambda: page.get_by_role("option", name="Paragraph").click())
    editor.click()
    page.keyboard.type(text)


def add_link_card_to_story(page, search_word):
    """A link card to another story, found with the page chooser's search (the admin search index)."""
    page.locator("#panel-child-content-body-section").get_by_role("button", name="Insert a block").last.click()
    choosers = page.locator("#panel-child-content-body-section").get_by_role("button", name="Choose a page")
    added(choosers, lambda: page.get_by_role("option", name="Link card").click()).click()
    modal = page.locator(".modal-content")
    modal.get_by_role("textbox").first.fill(search_word)
    result = modal.locator("a[data-chooser-modal-choice], a.choose-page").first
    expect(result).to_be_visible()
    chosen = result.inner_text().strip()
    result.click()
    expect(modal).to_be_hidden()
    return chosen


def add_new_tag(page, name):
    tag_input = page.locator("#panel-child-content-child-section_and_tags-child-tags-wrapper input:visible").first
    tag_input.click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    expect(page.locator("#panel-child-content-child-section_and_tags-child-tags-wrapper")).to_contain_text(name)


@pytest.mark.parametrize("role", ["author", "editor"])
def test_a_day_on_the_desk(signed_in, browser, server, local_embed_providers, role):
    page = signed_in(role)
    shots = role == "editor"
    byline = "Desk Editor" if role == "editor" else "Desk Author"
    token = secrets.token_hex(3)
    headline = f"Desk {role} {token} reports the reopening of the Kharkiv metro"
    tag = f"Metro {token}"

    # 1. A new story from an empty form. Picking an image first must not pause autosave with errors.
    new_story_form(page)
    page.get_by_role("button", name="Choose an image").click()
    page.locator(".modal-content").get_by_role("textbox", name="Search term").fill("Demo picture")
    page.locator(".modal-content a[data-chooser-modal-choice]", has_text="Demo picture").first.click()
    expect(page.locator("#id_feature_image-title")).to_contain_text("Demo picture")
    page.fill("#id_summary", "Trains run again under the city after three months.")
    page.wait_for_timeout(1500)  # longer than the autosave interval (500 ms): it would have run by now
    assert autosave_state(page) != "paused", page.locator("#w-autosave-indicator").get_attribute(
        "data-w-tooltip-content-value"
    )

    page.locator("#id_title").click()
    page.keyboard.type(headline, delay=5)
    page.locator("#id_summary").click()
    # TitleFieldPanel: the slug comes from the headline, no hunting on the Promote tab.
    slug = re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")
    expect(page.locator("#id_slug")).to_have_value(slug)
    page.fill("#id_feature_image_alt", "A train at a metro platform")
    page.fill("#id_feature_image_caption", f"The first train at Kharkiv {token}.")
    page.fill("#id_feature_image_credit", "Desk Photographer / Bulletin")
    add_paragraph(page, f"The metro reopened on Monday morning, {token}, the city council said.")
    linked = add_link_card_to_story(page, "Kyiv")
    add_embed(page, local_embed_providers.POSTS["youtube"])
    choose_byline(page, byline)
    page.select_option("#id_section", label="Society")
    add_new_tag(page, tag)
    screenshot(page, "story-form", shots)
    publish(page)
    expect_message(page, "published")
    path = f"/{slug}/"
    story_html = reader_sees(
        server, path, headline, f"The first train at Kharkiv {token}.", "Desk Photographer / Bulletin", byline, tag
    )
    assert 'class="link-card' in story_html and linked.split("\n")[0][:30] in story_html
    # The embed is a static card with the title the provider gave (the player loads only on a reader's click).
    assert '<figure class="embed' in story_html and "YouTube Developers Live" in story_html
    assert "<iframe" not in story_html
    tag_slug = re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")
    reader_sees(server, f"/tags/{tag_slug}/", headline)

    # 2. Find it again with the admin's search.
    page.goto(f"/admin/pages/search/?q={token}")
    expect(page.get_by_role("link", name=headline).first).to_be_visible()
    page.get_by_role("link", name=headline).first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    edit_url = page.url

    # The Checks panel counts the words of the preview (it needs {% wagtailuserbar %} in the preview).
    page.locator("[data-side-panel-toggle='checks']").click()
    # The panel counts once the preview has loaded in its hidden frame: seconds on a busy machine.
    expect(page.locator("[data-content-word-count]")).to_have_text(re.compile(r"^\d+$"), timeout=30_000)
    expect(page.locator("[data-content-reading-time]")).not_to_have_text("-")
    screenshot(page, "checks", shots)
    page.locator("[data-side-panel-toggle='checks']").click()
    assert "w-userbar" not in reader_sees(server, path, headline), "the userbar reached the public page"

    # 3. A substantive update, then a correction.
    page.fill("#id_summary", "Trains run again under the city after three months, every five minutes.")
    page.check("#id_mark_updated")
    publish(page)
    expect_message(page, "published")
    reader_sees(server, path, "after three months, every five minutes.", "story__updated")

    page.goto(edit_url)
    page.get_by_role("button", name="Add correction").click()
    page.fill("#id_corrections-0-text", f"An earlier version gave the wrong day for the reopening ({token}).")
    publish(page)
    expect_message(page, "published")
    reader_sees(server, path, "Corrections", f"gave the wrong day for the reopening ({token})")

    # 4. Schedule a second story for tomorrow: readers do not see it yet.
    scheduled = f"Desk {role} {token} previews tomorrow's budget vote"
    new_story_form(page)
    page.locator("#id_title").click()
    page.keyboard.type(scheduled, delay=5)
    page.fill("#id_summary", "Parliament votes on the wartime budget tomorrow.")
    page.select_option("#id_section", label="Politics")
    choose_byline(page, byline)
    scheduled_slug = page.locator("#id_slug").input_value()
    page.locator("[data-side-panel-toggle='status']").click()
    page.get_by_role("button", name="Set schedule").click()
    dialog = page.locator("#schedule-publishing-dialog")
    expect(dialog).to_contain_text("Time zone: Europe/Kyiv")
    go_live = dialog.locator("#id_go_live_at")
    go_live.click()  # opens the date picker
    go_live.fill(_tomorrow())
    screenshot(page, "schedule", shots)
    dialog.get_by_role("button", name="Save schedule").click(timeout=5_000)  # fails if the picker covers it
    page.locator("footer .w-dropdown__toggle").first.click()
    page.get_by_role("button", name=re.compile("Schedule to publish")).click()
    expect_message(page, "scheduled")
    assert server.get(f"/{scheduled_slug}/")[0] == 404
    assert scheduled not in server.html("/")

    # 5. Unpublish the first story; an editor sends its readers on with a redirect.
    page.goto(edit_url)
    page.locator("header").get_by_role("button", name=re.compile("Actions|More")).first.click()
    page.get_by_role("link", name="Unpublish").click()
    page.get_by_role("button", name=re.compile("Yes, unpublish")).click()
    expect_message(page, "unpublished")
    if role == "editor":
        page.goto("/admin/")
        page.get_by_role("button", name="Settings").click()
        page.get_by_role("link", name="Redirects").click()
        expect(page).to_have_url(re.compile(r"/admin/redirects/"))
        page.get_by_role("link", name="Add redirect").first.click()
        page.fill("#id_old_path", path)
        page.fill("#id_redirect_link", f"{server.url}/")
        screenshot(page, "redirect", shots)
        page.get_by_role("button", name="Create").click()
        expect_message(page, "added")
        assert reader_gets(server, path, (301, 302))[1] == f"{server.url}/"
    else:
        page.goto("/admin/redirects/")
        expect(page.get_by_text("Sorry, you do not have permission")).to_be_visible()
        reader_gets(server, path, (404, 410))
    assert headline not in server.html("/")

    # The desk's list of stories, filtered by section and byline, shows both.
    page.goto("/admin/stories/")
    author_id = page.locator("#id_byline option", has_text=byline).get_attribute("value")
    page.goto(f"/admin/stories/?byline={author_id}")
    expect(page.locator("main table")).to_contain_text(scheduled)
    expect(page.locator("main table")).to_contain_text("Politics")
    screenshot(page, "stories", shots)

    # 6. A quick post from a phone-sized admin.
    phone = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state()
    )
    try:
        quick_post(phone.new_page(), server, role, token, byline, shots)
    finally:
        phone.close()


def _tomorrow():
    from datetime import datetime

    return (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d 09:00")


def quick_post(page, server, role, token, byline, shots):
    page.set_default_timeout(20_000)
    page.goto("/admin/quick-post/")
    headline = f"Quick {role} {token}: air raid alert over Kyiv"
    first_paragraph = f"An air raid alert sounded over Kyiv at 3 a.m. ({token})."
    summary = "Air defence was at work over the capital overnight."
    page.fill("#id_headline", headline)
    page.fill("#id_summary", summary)
    page.fill("#id_text", f"{first_paragraph}\n\nThe all-clear came an hour later.")
    page.select_option("#id_section", label="War")
    expect(page.locator("#id_author option:checked")).to_have_text(byline)  # the signed-in journalist's byline
    tag_input = page.locator("#id_tags ~ ul input, .tagit input").first
    tag_input.click()
    page.keyboard.type(f"Alerts {token}")
    page.keyboard.press("Enter")
    page.set_input_files("#id_image", files=[{"name": "alert.png", "mimeType": "image/png", "buffer": a_png("navy")}])
    page.fill("#id_image_alt", "Searchlights over the Kyiv skyline")
    page.fill("#id_image_caption", f"Kyiv at night ({token}).")
    page.fill("#id_image_credit", "Desk Photographer / Bulletin")
    screenshot(page, "quick-post-390", shots)
    page.get_by_role("button", name="Publish now").click()
    expect_message(page, "Published")
    slug = re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")
    html = reader_sees(server, f"/{slug}/", headline, summary, f"Kyiv at night ({token}).", f"Alerts {token}")
    assert html.count(first_paragraph) == 1, "the first paragraph is shown twice"
