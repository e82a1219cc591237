"""Embeds in a story, through the real admin form: saved, rendered as a card, in feeds and JSON-LD, and what
happens when the provider is down or the URL is no embed."""

import json
import re
from urllib.parse import urlsplit

import extruct
import feedparser
import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from bulletin.embeds.providers import DEFAULT_PROVIDERS
from bulletin.newsroom.blocks import PARAGRAPH_FEATURES
from bulletin.newsroom.models import NewsFeedPage, StoryPage
from bulletin.web.middleware import PUBLIC_PAGE_POLICY
from tests.embeds.provider_servers import POSTS, TELEGRAM_POST_TIME
from tests.factories import story_form_data

pytestmark = pytest.mark.django_db

PUBLISH = {"action-publish": "action-publish"}


def form_with_embeds(slug, *urls):
    """The admin's POST data for a new story whose body is a paragraph and an embed per URL."""
    data = story_form_data(title=f"Story {slug}", slug=slug)
    data = {key: value for key, value in data.items() if not key.startswith("body-")}
    blocks = [("paragraph", rich_text("<p>Before the embeds.</p>", features=PARAGRAPH_FEATURES))]
    data.update(nested_form_data({"body": streamfield(blocks + [("embed", url) for url in urls])}))
    return {**data, **PUBLISH}


def publish(client, slug, *urls):
    add = reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", NewsFeedPage.objects.get().pk))
    response = client.post(add, form_with_embeds(slug, *urls), follow=True)
    assert response.redirect_chain and response.redirect_chain[0][1] == 302, response.content.decode()[:3000]
    story = StoryPage.objects.get(slug=slug)
    assert story.live
    return story, response


def embed_warnings(response):
    return [str(m) for m in response.context["messages"] if str(m).startswith("The embed ")]


def test_an_editor_publishes_a_story_with_embeds_and_readers_get_static_cards(client_for, client, embed_providers):
    desk = client_for("Editors")
    story, saved = publish(desk, "embeds", POSTS["youtube"], POSTS["telegram"])
    assert not embed_warnings(saved)
    assert [child.block_type for child in story.body] == ["paragraph", "embed", "embed"]
    asked = len(embed_providers.requests)

    page = client.get(story.url)
    html = page.content.decode()
    soup = BeautifulSoup(html, "html5lib")
    cards = soup.select("figure.embed")
    assert [card["data-embed-player"] for card in cards] == [
        f"{embed_providers.url}/player/youtube/embed/M7lc1UVf-VE?autoplay=1",
        f"{embed_providers.url}/player/telegram/kyivindependent_official/12345?embed=1",
    ]
    youtube = cards[0]
    assert youtube.select_one(".embed__title").text == "YouTube Developers Live: Embedded Web Player Customization"
    assert youtube.select_one(".embed__source").text == "YouTube · Google for Developers"
    assert youtube.select_one("a.embed__link")["href"] == POSTS["youtube"]
    assert youtube.select_one("img")["src"].startswith("/media/embeds/")
    # Everything the page loads is the site's own: the only provider addresses are links and the players to come.
    loaded = [tag.get("src") or tag.get("href") for tag in soup.select("[src], link[href]")]
    assert loaded and all(not urlsplit(url).netloc or urlsplit(url).netloc == "testserver" for url in loaded)
    assert soup.select_one('script[src$="embeds/player.js"]') and not soup.select("script:not([src]):not([type])")
    assert "frame-src " in page["Content-Security-Policy"]
    assert len(embed_providers.requests) == asked  # rendering asked no provider
    assert client.get(youtube.select_one("img")["src"]).status_code == 200


def test_the_script_is_only_on_stories_with_embeds(client):
    story = StoryPage.objects.live().first()
    assert "embeds/player.js" not in client.get(story.url).content.decode()


def test_a_provider_that_cannot_be_reached_leaves_a_link_and_tells_the_editor(client_for, client, embed_providers):
    desk = client_for("Editors")
    with embed_providers.unreachable("vimeo"):
        story, saved = publish(desk, "vimeo-down", POSTS["vimeo"])
    [warning] = embed_warnings(saved)
    assert warning.startswith(f"The embed {POSTS['vimeo']} could not be loaded from Vimeo (")
    assert "Connection aborted" in warning and "saved with a plain link" in warning
    card = BeautifulSoup(client.get(story.url).content, "html5lib").select_one("figure.embed")
    assert not card.has_attr("data-embed-player") and card.select_one("img") is None
    assert card.select_one("a.embed__link")["href"] == POSTS["vimeo"]
    assert card.select_one(".embed__title").text == POSTS["vimeo"]

    # Saved again once Vimeo answers, the embed is resolved and the message is gone.
    edit = reverse("wagtailadmin_pages:edit", args=(story.pk,))
    data = {**story_form_data(story), **PUBLISH}
    data = {key: value for key, value in data.items() if not key.startswith("body-")}
    data.update(nested_form_data({"body": streamfield([("embed", POSTS["vimeo"])])}))
    again = desk.post(edit, data, follow=True)
    assert not embed_warnings(again)
    assert BeautifulSoup(client.get(story.url).content, "html5lib").select_one("figure.embed[data-embed-player]")


def test_an_address_that_is_no_embed_is_refused_with_the_list_of_providers(client_for, embed_providers):
    desk = client_for("Editors")
    add = reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", NewsFeedPage.objects.get().pk))
    response = desk.post(add, form_with_embeds("not-an-embed", "https://example.com/video/1"))
    assert response.status_code == 200 and not StoryPage.objects.filter(slug="not-an-embed").exists()
    assert "this address is none of them" in response.content.decode()
    assert "Telegram, X, YouTube, Vimeo, Facebook, Instagram, TikTok, SoundCloud" in response.content.decode()
    assert embed_providers.requests == []


def test_feeds_carry_an_embed_as_a_link(client_for, client, embed_providers):
    story, _ = publish(client_for("Editors"), "embeds-in-feeds", POSTS["tiktok"])
    rss = feedparser.parse(client.get("/feeds/rss.xml").content)
    atom = feedparser.parse(client.get("/feeds/atom.xml").content)
    items = json.loads(client.get("/feeds/feed.json").content)["items"]
    contents = [
        next(e for e in rss.entries if e.link.endswith(story.url)).content[0].value,
        next(e for e in atom.entries if e.link.endswith(story.url)).content[0].value,
        next(i for i in items if i["url"].endswith(story.url))["content_html"],
    ]
    for content in contents:
        link = BeautifulSoup(content, "html.parser").select_one(f'a[href="{POSTS["tiktok"]}"]')
        assert link is not None and "Scramble up ur name" in link.text
        assert re.fullmatch(r"http://testserver/media/embeds/[0-9a-f]+\.jpg", link.img["src"])
        assert "data-embed" not in content and "<script" not in content and "<iframe" not in content


def test_json_ld_names_videos_audio_and_posts(client_for, client, embed_providers):
    story, _ = publish(
        client_for("Editors"), "embeds-json-ld", POSTS["youtube"], POSTS["soundcloud"], POSTS["telegram"]
    )
    page = client.get(story.url).content.decode()
    [article] = [
        item
        for item in extruct.extract(page, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
        if item["@type"] == "NewsArticle"
    ]
    [video] = article["video"]
    assert video["@type"] == "VideoObject"
    assert video["name"] == "YouTube Developers Live: Embedded Web Player Customization"
    assert video["url"] == POSTS["youtube"]
    assert video["embedUrl"] == f"{embed_providers.url}/player/youtube/embed/M7lc1UVf-VE?autoplay=1"
    assert re.fullmatch(r"http://testserver/media/embeds/[0-9a-f]+\.jpg", video["thumbnailUrl"])
    assert "uploadDate" not in video  # YouTube's oEmbed does not say
    [audio] = article["audio"]
    assert audio["@type"] == "AudioObject" and audio["name"] == "Flickermood by Forss"
    [post] = article["citation"]
    assert post["@type"] == "SocialMediaPosting" and post["url"] == POSTS["telegram"]
    assert post["datePublished"] == "2026-01-19T16:05:31+02:00"  # TELEGRAM_POST_TIME in the newsroom's zone
    assert TELEGRAM_POST_TIME.startswith("2026-01-19T14:05:31")


def test_frame_src_allows_exactly_the_providers_players():
    frame_src = re.search(r"frame-src ([^;]+);", PUBLIC_PAGE_POLICY).group(1).split()
    assert frame_src == [
        "https://t.me",
        "https://platform.twitter.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://www.facebook.com",
        "https://www.instagram.com",
        "https://www.tiktok.com",
        "https://w.soundcloud.com",
    ]
    assert len(DEFAULT_PROVIDERS) == 9  # Facebook's posts and videos share a player
