"""Embeds in Chromium, against the real admin and `bulletin serve` with the local provider servers
(tests/embeds/provider_servers.py): an editor pastes a post of every provider into a story while one provider is down,
saves, publishes; the reader's page shows static cards, asks no provider anything, and loads the player on click.
"""

import re
import secrets
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import add_embed

pytestmark = pytest.mark.e2e

EDITOR = """
from django.contrib.auth import get_user_model
from bulletin.newsroom import roles
user = get_user_model().objects.create_user("embed-desk", password={password!r})
roles.assign_role(user, "Editors")
"""
DRAFT = """
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage
story = StoryPage(title={title!r}, slug={slug!r}, summary="Embeds from the desk.", section=Section.objects.first())
story.live = False
story.bylines = [Byline(author=Author.objects.first())]
NewsFeedPage.objects.get().add_child(instance=story)
story.save_revision()
print(story.pk)
"""


#: The posts the editor embeds, by provider key (tests/embeds/provider_servers.py): every provider, YouTube first,
#: Vimeo second (the one that is down).
EMBEDDED = ["youtube", "vimeo", "telegram", "x", "facebook", "facebook_video", "instagram", "tiktok", "soundcloud"]
PROVIDER_NAMES = {"telegram": "Telegram", "x": "X", "facebook": "Facebook", "facebook_video": "Facebook"}
PROVIDER_NAMES |= {"instagram": "Instagram", "tiktok": "TikTok", "soundcloud": "SoundCloud"}


def wait_for_page(server, path, deadline=20):
    """The published page's HTML, once the publisher has written it."""
    end = time.monotonic() + deadline
    while True:
        status, html = server.get(path)
        if status == 200 or time.monotonic() > end:
            assert status == 200, f"{path} answered {status}"
            return html
        time.sleep(0.2)


def test_an_editor_embeds_videos_and_a_reader_plays_one_after_the_click(server, new_page, local_embed_providers):
    providers = local_embed_providers
    password = secrets.token_urlsafe(12)
    created = server.manage("shell", "-c", EDITOR.format(password=password))
    assert created.returncode == 0, created.stderr
    slug = f"embeds-{secrets.token_hex(3)}"
    draft = server.manage("shell", "-c", DRAFT.format(title="Air raid alert: what we know", slug=slug))
    assert draft.returncode == 0, draft.stderr
    story_id = draft.stdout.strip().splitlines()[-1]

    desk = new_page()
    desk.goto("/admin/login/")
    desk.fill("#id_username", "embed-desk")
    desk.fill("#id_password", password)
    desk.click("button[type=submit]")
    expect(desk).to_have_url(re.compile(r"/admin/$"))

    # The editor pastes a YouTube video, a Vimeo video while Vimeo cannot be reached, and a post of every other
    # provider, and saves a draft.
    desk.goto(f"/admin/pages/{story_id}/edit/")
    # Vimeo is down from the paste on: an autosave in between must not resolve it either.
    with providers.unreachable("vimeo"):
        for key in EMBEDDED:
            add_embed(desk, providers.POSTS[key])
        desk.get_by_role("button", name="Save draft").click()
        warning = desk.locator(".messages").get_by_text("could not be loaded from Vimeo")
        expect(warning).to_be_visible(timeout=30_000)  # a save on a busy machine
    expect(warning).to_contain_text(f"The embed {providers.POSTS['vimeo']} could not be loaded from Vimeo")
    expect(warning).to_contain_text("saved with a plain link")
    expect(desk.locator(".messages")).not_to_contain_text("YouTube")
    expect(desk.locator(".messages").get_by_text("could not be loaded")).to_have_count(1)  # only Vimeo's

    # Published while Vimeo is still down: the story goes out, Vimeo's embed as a plain link.
    with providers.unreachable("vimeo"):
        desk.get_by_role("button", name="More actions").click()
        desk.get_by_role("button", name="Publish").click()
        published = desk.locator(".messages").get_by_text("has been published")
        refused = desk.get_by_text("could not be saved due to validation errors")
        expect(published.or_(refused)).to_be_visible(timeout=30_000)
        assert refused.count() == 0, desk.locator(".error-message, .w-field__errors").all_inner_texts()
        expect(desk.locator(".messages")).to_contain_text("could not be loaded from Vimeo")
    html = wait_for_page(server, f"/{slug}/")
    assert html.count('<figure class="embed') == len(EMBEDDED)

    # The reader: every request is recorded, and none reaches a provider before the click.
    providers.requests.clear()
    reader = new_page()
    seen = []
    reader.on("request", lambda request: seen.append(request.url))
    answer = reader.goto(f"/{slug}/")
    policy = answer.headers["content-security-policy"]
    assert re.search(r"frame-src ([^;]+);", policy).group(1) == providers.url  # every player is on that server here
    cards = reader.locator("figure.embed")
    expect(cards).to_have_count(len(EMBEDDED))
    youtube, vimeo = cards.nth(0), cards.nth(1)
    # Every other provider's card: resolved from the local server in that provider's format, with a play button.
    for index, key in enumerate(EMBEDDED[2:], start=2):
        card = cards.nth(index)
        expect(card).to_have_class(f"embed embed--{key}")
        expect(card.locator(".embed__source")).to_contain_text(PROVIDER_NAMES[key])
        expect(card.locator("a.embed__link")).to_have_attribute("href", providers.POSTS[key])
        expect(card.get_by_role("button")).to_have_count(1)
    expect(youtube.locator(".embed__title")).to_have_text("YouTube Developers Live: Embedded Web Player Customization")
    youtube.scroll_into_view_if_needed()
    expect(youtube.locator("img.embed__thumbnail")).to_have_js_property("complete", True)
    assert youtube.locator("img.embed__thumbnail").evaluate("img => img.naturalWidth") == 480
    expect(vimeo.locator("a.embed__link")).to_have_attribute("href", providers.POSTS["vimeo"])
    expect(vimeo.get_by_role("button")).to_have_count(0)  # a plain link: nothing to play
    play = youtube.get_by_role("button", name=re.compile("^Play video"))
    expect(play).to_be_visible()
    # The page's own requests are done (styles, scripts, the thumbnail); its live stream stays open, so no
    # "networkidle" here.
    reader.wait_for_load_state("load")
    own = urlsplit(server.url).netloc
    assert seen and all(urlsplit(url).netloc == own for url in seen), seen
    assert providers.requests == []

    # The click swaps the card for the provider's player.
    player = f"{providers.url}/player/youtube/embed/M7lc1UVf-VE?autoplay=1"
    with reader.expect_response(player) as loaded:
        play.click()
    assert loaded.value.status == 200
    frame = youtube.locator("iframe.embed__frame")
    expect(frame).to_have_attribute("src", player)
    expect(frame).to_have_attribute("title", re.compile("^YouTube: YouTube Developers Live"))
    expect(reader.frame_locator("iframe.embed__frame").locator("title")).to_have_js_property("text", "youtube player")
    expect(youtube.locator("a.embed__link")).to_be_visible()  # the link to the original stays
    assert providers.requests == ["/player/youtube/embed/M7lc1UVf-VE?autoplay=1"]
    # (The admin's console is not checked: Wagtail's autosave answers 400 while a new block is still empty.)
    assert reader.problems == []
