"""A day on the desk (issue 14): a journalist writes, finds, updates, corrects, schedules, unpublishes and quick-posts
in the real admin, in Chromium, as an Author and as an Editor; each step checks what readers get from the server.

The editor's run takes the screenshots of docs/editing.md (docs/screenshots/). These tests add stories to the
shared server; none of them needs to be the newest, so they run in the usual order.
"""

import http.client
import io
import re
import secrets
import tempfile
import time
import urllib.parse
from datetime import date
from pathlib import Path

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


def screenshot(page, name, take, height=None):
    """Save docs/screenshots/NAME.png; ``height``: that tall a window for the picture (the admin scrolls inside
    its own panes, so a full-page screenshot would show no more)."""
    if take:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        if height:
            page.set_viewport_size({"width": size["width"], "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        page.set_viewport_size(size)


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
    """Wagtail's message after a save: publishing renders pages first, which takes a while on a busy machine.
    On failure, says where the editor ended up and what the admin said (messages, field errors)."""
    try:
        expect(page.locator(".messages")).to_contain_text(text, timeout=60_000)
    except AssertionError as error:
        said = page.locator(".messages, .w-field__errors, .error-message, .help-critical").all_inner_texts()
        shot = Path(tempfile.gettempdir()) / f"desk-{secrets.token_hex(3)}.png"
        page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(f"no {text!r} at {page.url}; the admin said {said}; see {shot}") from error


def autosave_state(page):
    return page.locator("#w-autosave-indicator").get_attribute("data-w-autosave-state-value") or "idle"


def autosave_tooltip(page):
    return page.locator("#w-autosave-indicator").get_attribute("data-w-tooltip-content-value")


# --- the autosave race ----------------------------------------------------------------------------------------


def test_saving_a_new_story_right_after_typing_creates_it_once(signed_in, server):
    """Save draft or Publish 300–500 ms after the last keystroke of the headline, as a fast editor clicks.

    Wagtail's autosave notices the change about a second after the last keystroke and then creates the same story
    in the background, with a POST to the Add form's URL; the click's submit is on its way meanwhile. Whichever
    reaches the database second got "slug already in use" (the editor stuck on the Add form, a stray draft left).
    So: no autosave request may leave after the click; the last two tries click while an autosave is running,
    which must wait for it and then save (or publish) the story it created. Each try must leave the Add form, with
    one story, and autosave must never show "paused"."""
    page = signed_in("editor")
    prefix = f"Race {secrets.token_hex(3)}"
    tries = [("Save draft", ms) for ms in (300, 350, 400, 450, 500)] + [("Publish", ms) for ms in (300, 400, 500)]
    tries += [("Save draft", "during autosave"), ("Publish", "during autosave")]
    late_autosaves, overlapped = [], []

    def on_console(message):
        if message.text.startswith("late autosave"):
            late_autosaves.append(message.text)
        elif message.text.startswith("autosave before the click"):
            overlapped.append(message.text)

    def on_response(response):
        request = response.request
        if request.method == "POST" and "json" in (request.headers.get("accept") or ""):
            # What the autosave sent, field by field (the answer to a failed one names no field).
            sent = re.findall(r'name="([^"]+)"\r\n\r\n([^\r]{0,60})', request.post_data or "")
            sent = {name: value for name, value in sent if value and name != "csrfmiddlewaretoken"}
            autosaves.append(f"{request.url} {sent} -> {response.status} {response.text()[:200]}")

    autosaves = []
    page.on("console", on_console)
    page.on("response", on_response)
    try:
        for number, (action, delay) in enumerate(tries):
            new_story_form(page)
            # Reports an autosave that begins (is not cancelled) after the click's submit: it races the click's save;
            # and one that began before it (the click then has to wait for it), to show the race was run.
            page.evaluate(
                """n => {
                    document.addEventListener("submit", () => {
                        if (window.deskAutosaved && !window.deskSubmitted) {
                            console.log(`autosave before the click ${n}`);
                        }
                        window.deskSubmitted = true;
                    }, true);
                    document.addEventListener("w-autosave:save", (event) => {
                        if (window.deskSubmitted && !event.defaultPrevented) console.log(`late autosave in try ${n}`);
                        if (!event.defaultPrevented) window.deskAutosaved = true;
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
            assert autosave_state(page) != "paused", f"try {number}: {autosave_tooltip(page)}: {autosaves[-3:]}"
            if action == "Publish":
                publish(page)
            else:
                page.get_by_role("button", name="Save draft").click()
            expect(page).not_to_have_url(re.compile(r"/pages/add/"), timeout=60_000)
            expect(page.locator(".messages")).not_to_contain_text("already in use")
            expected = "published" if action == "Publish" else re.compile("created|updated")
            expect_message(page, expected)
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("response", on_response)
    assert not late_autosaves, late_autosaves
    assert len(overlapped) >= 2, overlapped  # at least the two clicks during an autosave had to wait for it
    titles = stories_titled(server, prefix)
    # One story per try: no duplicate, no stray draft left by an autosave.
    assert sorted(title for title, _ in titles) == sorted(f"{prefix} {n} {a}" for n, (a, _) in enumerate(tries))
    assert all(live == title.endswith("Publish") for title, live in titles)


# --- the demo in the admin ------------------------------------------------------------------------------------

DEMO_EDITOR = """
import json
from bulletin.demo import builder
from bulletin.newsroom.models import Author, StoryPage
username, password = builder.reset_demo_editor()
from django.contrib.auth import get_user_model
from wagtail.models import PageLogEntry
stories = StoryPage.objects.live().order_by("-feed_position")
older = stories[30]
editor = get_user_model().objects.get(username=username)
newest = PageLogEntry.objects.filter(user=editor, action="wagtail.edit").order_by("-timestamp", "-pk").first().page
author = Author.objects.exclude(user__username=username).order_by("pk")[3]
print(json.dumps({"username": username, "password": password, "newest": newest.title, "older": older.title,
                  "older_summary": older.summary, "older_path": older.url, "author": author.name}))
"""


def test_the_demo_looks_real_in_the_admin(browser, server):
    """The demo editor's dashboard shows recent edits; the admin's search, the byline chooser's search and a demo
    story's History work on the demo's stories as on stories written in the admin."""
    import json

    run = server.manage("shell", "-c", DEMO_EDITOR)
    assert run.returncode == 0, run.stderr
    demo = json.loads(run.stdout.strip().splitlines()[-1])
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto("/admin/login/")
        page.fill("#id_username", demo["username"])
        page.fill("#id_password", demo["password"])
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/admin/$"))
        recent = page.locator("section, .w-panel, .panel", has_text="Your most recent edits").last
        expect(recent).to_contain_text(demo["newest"])

        # An older story, found by two words of its headline (not its start), with its summary and first revision.
        words = re.findall(r"[A-Za-z]{5,}", demo["older"])[-2:]
        page.goto(f"/admin/pages/search/?q={urllib.parse.quote(' '.join(words))}")
        page.get_by_role("link", name=demo["older"]).first.click()
        expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
        expect(page.locator("#id_summary")).to_have_value(demo["older_summary"])
        reader_sees(server, demo["older_path"], demo["older"], demo["older_summary"])
        page.get_by_role("link", name="History").first.click()
        expect(page.locator("#listing-results")).to_contain_text("Published")

        # The byline chooser finds a demo author by part of the surname.
        new_story_form(page)
        page.locator("#id_bylines-0-author-chooser").get_by_role("button", name=re.compile("Choose")).click()
        modal = page.locator(".modal-content")
        surname = demo["author"].split()[-1]
        modal.get_by_role("textbox").first.fill(surname[:5])
        expect(modal.get_by_role("link", name=demo["author"])).to_be_visible()
        for name in modal.locator("table tbody a").all_inner_texts():
            assert surname[:5].lower() in name.lower(), name
    finally:
        context.close()


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


def pick_existing_tag(page, letters):
    """Type the first letters of a demo tag and pick it from the suggestions (the tag autocomplete view)."""
    tag_input = page.locator("#panel-child-content-child-section_and_tags-child-tags-wrapper input:visible").first
    tag_input.click()
    page.keyboard.type(letters, delay=30)
    suggestion = page.locator("ul.ui-autocomplete li:visible").first
    expect(suggestion).to_be_visible()
    name = suggestion.inner_text().strip()
    suggestion.click()
    expect(page.locator("#panel-child-content-child-section_and_tags-child-tags-wrapper")).to_contain_text(name)
    return name


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
    page.evaluate(
        """() => { window.deskAutosaveErrors = [];
            document.addEventListener("w-autosave:error", (e) => window.deskAutosaveErrors.push(e.detail.text)); }"""
    )
    page.get_by_role("button", name="Choose an image").click()
    page.locator(".modal-content").get_by_role("textbox", name="Search term").fill("Demo picture")
    page.locator(".modal-content a[data-chooser-modal-choice]", has_text="Demo picture").first.click()
    expect(page.locator("#id_feature_image-title")).to_contain_text("Demo picture")
    page.wait_for_timeout(1500)  # longer than the autosave interval (500 ms): it would have run by now
    assert autosave_state(page) != "paused", autosave_tooltip(page)
    page.fill("#id_summary", "Trains run again under the city after three months.")
    page.wait_for_timeout(1500)
    assert autosave_state(page) != "paused", autosave_tooltip(page)

    page.locator("#id_title").click()
    page.keyboard.type(headline, delay=5)
    page.locator("#id_summary").click()
    # TitleFieldPanel: the slug comes from the headline, no hunting on the Promote tab.
    slug = re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")
    expect(page.locator("#id_slug")).to_have_value(slug)
    page.fill("#id_feature_image_alt", "A train at a metro platform")
    page.fill("#id_feature_image_caption", f"The first train at Kharkiv {token}.")
    page.fill("#id_feature_image_credit", "Desk Photographer / Bulletin")
    assert page.evaluate("window.deskAutosaveErrors") == []  # "Autosave is paused" never showed
    # The Promote tab has the slug and nothing that no page reads (no SEO title, description, menus).
    page.get_by_role("tab", name="Promote").click()
    promote = page.locator("section[id$='promote']")
    expect(promote.locator("#id_slug")).to_be_visible()
    for unused in ("Title tag", "Meta description", "Show in menus", "Search description"):
        expect(promote).not_to_contain_text(unused)
    page.get_by_role("tab", name="Content").click()
    add_paragraph(page, f"The metro reopened on Monday morning, {token}, the city council said.")
    linked = add_link_card_to_story(page, "Kyiv")
    add_embed(page, local_embed_providers.POSTS["youtube"])
    choose_byline(page, byline)
    page.select_option("#id_section", label="Society")
    existing_tag = pick_existing_tag(page, "Kyi")
    add_new_tag(page, tag)
    page.locator("#id_title").scroll_into_view_if_needed()  # the form's top: headline, summary, feature image
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
    assert existing_tag in story_html

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
    expect(page.locator("[data-content-reading-time]")).to_have_text(re.compile(r"\d+ min"))
    expect(page.locator("[data-content-readability-score]")).to_have_text(re.compile(r"[A-Za-z]{3,}"))
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
    dialog = open_schedule_dialog(page)
    go_live = dialog.locator("#id_go_live_at")
    pick_next_months_23rd(page, dialog, go_live)  # readers wait for it: the story is scheduled a month ahead
    go_live.click()  # the picker again, open for the screenshot
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_be_visible()
    screenshot(page, "schedule", shots)
    dialog.get_by_role("button", name="Save schedule").click(timeout=5_000)
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

    # The desk's list of stories: section and byline columns, and both as filters, picked in the Filter menu.
    page.goto("/admin/stories/")
    table = page.locator("#listing-results table")
    expect(table.locator("thead")).to_contain_text("Section")
    expect(table.locator("thead")).to_contain_text("Byline")
    filter_stories(page, "section", "Politics")
    filter_stories(page, "byline", byline)
    expect(page).to_have_url(re.compile(r"section=\d+.*byline=\d+|byline=\d+.*section=\d+"))
    row = table.locator("tbody tr", has_text=scheduled)
    expect(row).to_contain_text("Politics")
    expect(row).to_contain_text(byline)
    expect(table).not_to_contain_text(headline)  # Society: filtered out
    for section in table.locator("tbody td:nth-last-child(2)").all_inner_texts():
        assert section.strip() == "Politics", section
    page.wait_for_timeout(500)  # the Filter menu's fade-out, for the screenshot
    screenshot(page, "stories", shots)

    # 6. A quick post from a phone-sized admin.
    phone = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state()
    )
    try:
        phone_page = phone.new_page()
        phone_page.set_default_timeout(20_000)
        # The schedule dialog on a phone: its picker and its Save button again cover neither the other (not saved).
        new_story_form(phone_page)
        dialog = open_schedule_dialog(phone_page)
        pick_next_months_23rd(phone_page, dialog, dialog.locator("#id_go_live_at"))
        pick_next_months_23rd(phone_page, dialog, dialog.locator("#id_expire_at"))  # its picker opens lower
        phone_page.close()  # unsaved: no story, and no leave-the-page question
        quick_post(phone.new_page(), server, role, token, byline, shots)
    finally:
        phone.close()


def filter_stories(page, name, label):
    """Pick ``label`` in the Stories listing's Filter menu under ``name`` (section, byline); the list updates."""
    page.get_by_role("button", name="Show filters").click()
    page.locator(f"[aria-controls='drilldown-id_{name}']").click()
    with page.expect_response(lambda r: "/admin/stories/" in r.url and f"{name}=" in r.url):
        page.locator(f"#id_{name}").select_option(label=label)
    page.keyboard.press("Escape")
    expect(page.locator(f"#id_{name}")).to_be_hidden()
    expect(page.locator(".w-active-filters")).to_contain_text(label)


def uncovered(locator):
    """Whether the element is what a click at its centre would hit (nothing drawn over it)."""
    return locator.evaluate(
        """el => { const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return el === hit || el.contains(hit); }"""
    )


def open_schedule_dialog(page):
    """Open the story form's Set schedule dialog from its status side panel; returns the dialog."""
    if not page.get_by_role("button", name="Set schedule").is_visible():
        page.locator("[data-side-panel-toggle='status']").click()
    page.get_by_role("button", name="Set schedule").click()
    dialog = page.locator("#schedule-publishing-dialog")
    expect(dialog).to_contain_text("Time zone: Europe/Kyiv")
    return dialog


def pick_next_months_23rd(page, dialog, field):
    """Open ``field``'s date picker in the schedule dialog, check that no day of it and not the dialog's Save
    button is drawn over the other (each once covered the other), and click the 23rd of next month into the field."""
    save = dialog.get_by_role("button", name="Save schedule")
    save.scroll_into_view_if_needed()  # on a phone the dialog scrolls
    field.click()
    picker = page.locator(".xdsoft_datetimepicker:visible")
    expect(picker).to_be_visible()
    picker.locator(".xdsoft_monthpicker .xdsoft_next").click()
    today = date.today()
    month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    expect(picker.locator(".xdsoft_calendar td:not(.xdsoft_other_month)").first).to_have_attribute(
        "data-month",
        str(month.month - 1),  # xdsoft counts months from 0
    )
    days = picker.locator(".xdsoft_calendar td")
    expect(days).not_to_have_count(0)
    covered = [day.get_attribute("data-date") for day in days.all() if not uncovered(day)]
    assert not covered, f"days {covered} of the date picker are covered"
    assert uncovered(save), "the date picker covers Save schedule"
    assert uncovered(dialog.get_by_text("Time zone: Europe/Kyiv").first), "the date picker covers the time zone"
    picker.locator(f".xdsoft_calendar td[data-date='23'][data-month='{month.month - 1}']").click()
    expect(field).to_have_value(re.compile(rf"^{month:%Y-%m}-23 \d\d:\d\d$"))
    dialog.get_by_role("heading", name="Set publishing schedule").click()  # away from the field: its picker closes
    expect(picker).to_be_hidden()


def quick_post(page, server, role, token, byline, shots):
    page.set_default_timeout(20_000)
    page.goto("/admin/")
    # Quick post's menu icon is one of Wagtail's (an unknown name draws nothing).
    page.get_by_role("button", name="Toggle sidebar").click()
    menu_item = page.locator("#wagtail-sidebar a[href='/admin/quick-post/']")
    icon = menu_item.locator("svg use").get_attribute("href")
    expect(page.locator(f"symbol{icon}")).to_have_count(1)
    assert menu_item.locator("svg").evaluate("svg => svg.getBBox().width") > 0
    menu_item.click()
    expect(page).to_have_url(re.compile(r"/admin/quick-post/$"))
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
    page.fill("#id_image_alt", f"Searchlights over the Kyiv skyline {token}")
    page.fill("#id_image_caption", f"Kyiv at night ({token}).")
    page.fill("#id_image_credit", "Desk Photographer / Bulletin")
    screenshot(page, "quick-post-390", shots, height=1900)
    page.get_by_role("button", name="Publish now").click()
    expect_message(page, "Published")
    slug = re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")
    html = reader_sees(server, f"/{slug}/", headline, summary, f"Kyiv at night ({token}).", f"Alerts {token}")
    assert html.count(first_paragraph) == 1, "the first paragraph is shown twice"

    # The photo is in the library by what it shows, in its own collection; nothing there is named after the headline.
    page.goto(f"/admin/images/?q={token}")  # the headline has the token too
    photos = page.locator("#listing-results a[href*='/admin/images/']:has(img)")
    expect(photos).to_have_count(1)
    photo = page.get_by_role("link", name=re.compile(f"Searchlights over the Kyiv skyline {token}"))
    expect(photo).to_have_count(1)
    photo.click()
    expect(page.locator("#id_title")).to_have_value(
        f"Searchlights over the Kyiv skyline {token} (Desk Photographer / Bulletin)"
    )
    expect(page.locator("#id_collection option:checked")).to_contain_text("Quick post photos")
