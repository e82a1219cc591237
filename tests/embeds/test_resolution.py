"""Resolving embeds against the local provider servers (provider_servers.py), in each provider's own format."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail.embeds.embeds import get_embed, get_embed_hash
from wagtail.embeds.models import Embed

from bulletin.embeds import providers
from bulletin.embeds.models import EmbedSnapshot
from bulletin.embeds.resolution import EmbedUnavailable, card_for, failure_reason, resolve
from tests.embeds.provider_servers import POSTS, TELEGRAM_POST_TIME

pytestmark = pytest.mark.django_db

#: What each provider's card says, from its answer.
EXPECTED = {
    "telegram": (
        "⚡️ Air raid alert in Kyiv. Residents are urged to go to shelters. Read more & stay safe.",
        "The Kyiv Independent",
        True,
    ),
    "x": (
        "Sunsets don't get much better than this one over @GrandTetonNPS . #nature pic.twitter.com/YuKy2rcjyU — US…",
        "US Department of the Interior",
        False,
    ),
    "youtube": ("YouTube Developers Live: Embedded Web Player Customization", "Google for Developers", True),
    "vimeo": ("The New Vimeo Player (You Know, For Videos)", "Vimeo", True),
    "facebook": ("How people build and share with each other is changing. Posted by Facebook on…", "Facebook", False),
    "facebook_video": ("A video.", "Facebook", False),
    "instagram": ("A post shared by Diego Quinteiro (@diegoquinteiro)", "diegoquinteiro", True),
    "tiktok": (
        "Scramble up ur name & I'll try to guess it 😍❤️ #foryoupage #petsoftiktok #aesthetic",
        "Scout, Suki & Stella",
        True,
    ),
    "soundcloud": ("Flickermood by Forss", "Forss", True),
}


@pytest.mark.parametrize("key", sorted(POSTS))
def test_each_provider_resolves_to_a_stored_embed_with_a_local_thumbnail(embed_providers, key, settings):
    url = POSTS[key]
    embed = resolve(url)

    title, author, has_thumbnail = EXPECTED[key]
    assert embed.title.startswith(title.removesuffix("…")) and embed.author_name == author
    assert embed.html  # the provider's embed code, kept (never shown to readers)
    card = card_for(url)
    assert card.resolved and card.provider.key == key and card.title == embed.title
    if has_thumbnail:
        assert card.thumbnail_url.startswith(settings.MEDIA_URL + "embeds/") and card.thumbnail_url.endswith(".jpg")
        assert (card.thumbnail_width, card.thumbnail_height) == (480, 360)
        stored = embed.snapshot.thumbnail
        assert stored.storage.exists(stored.name) and stored.read(2) == b"\xff\xd8"  # a JPEG, on our disk
    else:
        assert card.thumbnail_url == ""
    assert card.player_url.startswith(f"{embed_providers.url}/player/{key}/")


def test_a_resolved_embed_is_read_from_the_database_afterwards(embed_providers):
    resolve(POSTS["youtube"])
    asked = len(embed_providers.requests)
    with embed_providers.unreachable("youtube"):
        assert resolve(POSTS["youtube"]).title.startswith("YouTube Developers Live")
        assert get_embed(POSTS["youtube"]).title.startswith("YouTube Developers Live")  # Wagtail's own lookup
    assert len(embed_providers.requests) == asked


def test_an_expired_embed_is_asked_for_again_and_kept_if_the_provider_is_down(embed_providers):
    embed = resolve(POSTS["vimeo"])
    Embed.objects.filter(pk=embed.pk).update(cache_until="2000-01-01T00:00Z", title="Old title")
    with embed_providers.unreachable("vimeo"):
        assert resolve(POSTS["vimeo"]).title == "Old title"
    assert resolve(POSTS["vimeo"]).title == "The New Vimeo Player (You Know, For Videos)"


def test_the_oembed_request_is_the_documented_one(embed_providers):
    resolve(POSTS["instagram"])
    asked = [path for path in embed_providers.requests if path.startswith("/graph/")]
    assert len(asked) == 1
    assert asked[0].startswith("/graph/v23.0/instagram_oembed?")
    assert "url=https%3A%2F%2Fwww.instagram.com%2Fp%2FBUawPlPF_Rx%2F" in asked[0] and "format=json" in asked[0]
    assert "access_token=123456789%7Clocal-client-token" in asked[0]


def test_telegram_posts_are_read_from_the_widget_page(embed_providers):
    embed = resolve(POSTS["telegram"])
    assert embed_providers.requests[0] == "/telegram/kyivindependent_official/12345?embed=1"
    assert embed.provider_name == "Telegram" and embed.author_name == "The Kyiv Independent"
    assert 'data-telegram-post="kyivindependent_official/12345"' in embed.html
    assert embed.snapshot.published_at.isoformat() == TELEGRAM_POST_TIME
    assert embed.snapshot.thumbnail.name.endswith(".jpg")


def test_a_telegram_post_that_does_not_exist(embed_providers):
    with pytest.raises(EmbedUnavailable) as raised:
        resolve("https://t.me/kyivindependent_official/999")
    assert raised.value.reason == "Telegram: Post not found"
    assert not Embed.objects.filter(url="https://t.me/kyivindependent_official/999").exists()


def test_a_video_the_provider_does_not_know(embed_providers):
    with pytest.raises(EmbedUnavailable) as raised:
        resolve("https://youtu.be/aaaaaaaaaaa")
    assert "404" in raised.value.reason and raised.value.provider.name == "YouTube"


def test_an_unreachable_provider_is_remembered_for_the_editor_s_message(embed_providers):
    with embed_providers.unreachable("tiktok"), pytest.raises(EmbedUnavailable) as raised:
        resolve(POSTS["tiktok"])
    assert "Connection aborted" in raised.value.reason
    assert failure_reason(POSTS["tiktok"]) == raised.value.reason
    assert card_for(POSTS["tiktok"]).resolved is False
    resolve(POSTS["tiktok"])
    assert failure_reason(POSTS["tiktok"]) is None


def test_meta_needs_an_access_token(embed_providers, settings):
    settings.BULLETIN_META_ACCESS_TOKEN = ""
    with pytest.raises(EmbedUnavailable) as raised:
        resolve(POSTS["facebook"])
    assert "BULLETIN_META_ACCESS_TOKEN" in raised.value.reason
    assert embed_providers.requests == []  # not even asked
    settings.BULLETIN_META_ACCESS_TOKEN = "1|wrong"
    with pytest.raises(EmbedUnavailable) as raised:
        resolve(POSTS["facebook"])
    assert "400" in raised.value.reason


def test_a_thumbnail_that_is_not_a_raster_image_is_not_kept(embed_providers):
    url = "https://www.youtube.com/watch?v=bbbbbbbbbbb"
    answer = dict(embed_providers.answers["youtube"][POSTS["youtube"]])
    answer["thumbnail_url"] = f"{embed_providers.url}/thumbs/hostile.svg"
    embed_providers.extra_answers["youtube"] = {url: answer}
    embed = resolve(url)
    assert not embed.snapshot.thumbnail
    assert card_for(url).resolved and card_for(url).thumbnail_url == ""


def test_a_missing_thumbnail_leaves_a_card_without_one(embed_providers):
    url = "https://www.youtube.com/watch?v=ccccccccccc"
    answer = dict(embed_providers.answers["youtube"][POSTS["youtube"]])
    answer["thumbnail_url"] = f"{embed_providers.url}/thumbs/gone.jpg"
    embed_providers.extra_answers["youtube"] = {url: answer}
    assert not resolve(url).snapshot.thumbnail


def test_deleting_an_embed_deletes_its_snapshot(embed_providers):
    embed = resolve(POSTS["soundcloud"])
    embed.delete()
    assert not EmbedSnapshot.objects.exists()
    assert Embed.objects.filter(hash=get_embed_hash(POSTS["soundcloud"])).count() == 0


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://t.me/durov/43", "telegram"),
        ("https://telegram.me/s/durov/43?single", "telegram"),
        ("https://twitter.com/jack/status/20", "x"),
        ("https://x.com/jack/status/20?s=20", "x"),
        ("https://youtu.be/M7lc1UVf-VE?t=30", "youtube"),
        ("https://www.youtube.com/watch?feature=share&v=M7lc1UVf-VE", "youtube"),
        ("https://www.youtube.com/shorts/M7lc1UVf-VE", "youtube"),
        ("https://vimeo.com/channels/staffpicks/76979871", "vimeo"),
        ("https://www.facebook.com/facebook/videos/10153231379946729/", "facebook_video"),
        ("https://www.facebook.com/watch/?v=10153231379946729", "facebook_video"),
        ("https://www.facebook.com/permalink.php?story_fbid=10153&id=4", "facebook"),
        ("https://www.instagram.com/reel/C1a2b3c4d5e/", "instagram"),
        ("https://www.tiktok.com/@scout2015/video/6718335390845095173?lang=en", "tiktok"),
        ("https://soundcloud.com/forss/sets/soulhack", "soundcloud"),
    ],
)
def test_supported_urls(url, key):
    assert providers.is_supported(url) and providers.provider_for(url).key == key


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/watch?v=M7lc1UVf-VE",
        "https://www.youtube.com.example.com/watch?v=M7lc1UVf-VE",
        "javascript:alert(1)//youtube.com/watch?v=M7lc1UVf-VE",
        "https://t.me/durov",
        "https://x.com/jack",
        "https://vimeo.com/about",
        "https://www.facebook.com/facebook",
        "",
        None,
    ],
)
def test_unsupported_urls(url):
    assert not providers.is_supported(url)


def test_players_are_the_providers_own():
    expected = {
        "https://t.me/durov/43": "https://t.me/durov/43?embed=1",
        "https://x.com/jack/status/20": "https://platform.twitter.com/embed/Tweet.html?id=20",
        "https://youtu.be/M7lc1UVf-VE": "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?autoplay=1",
        "https://vimeo.com/76979871": "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1",
        "https://www.facebook.com/facebook/posts/1": "https://www.facebook.com/plugins/post.php?href="
        "https%3A%2F%2Fwww.facebook.com%2Ffacebook%2Fposts%2F1&show_text=true",
        "https://www.instagram.com/p/BUawPlPF_Rx/": "https://www.instagram.com/p/BUawPlPF_Rx/embed/",
        "https://www.tiktok.com/@a/video/67": "https://www.tiktok.com/player/v1/67?autoplay=1",
        "https://soundcloud.com/forss/flickermood": "https://w.soundcloud.com/player/?url="
        "https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood&auto_play=true",
    }
    assert {url: providers.provider_for(url).player_url(url) for url in expected} == expected


def test_the_providers_setting_is_checked(settings):
    settings.BULLETIN_EMBED_PROVIDERS = {"myspace": {"endpoint": "http://127.0.0.1:9/"}}
    with pytest.raises(ImproperlyConfigured, match="myspace"):
        providers.providers()
    settings.BULLETIN_EMBED_PROVIDERS = {"youtube": {"html": "<script>"}}
    with pytest.raises(ImproperlyConfigured, match="youtube"):
        providers.providers()


def test_a_hostile_url_reaches_the_player_only_quoted():
    url = 'https://soundcloud.com/forss/flickermood?x="><script>alert(1)</script>'
    player = providers.provider_for(url).player_url(url)
    assert player.startswith("https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2F")
    assert not set('"<> ') & set(player)
    youtube = 'https://youtu.be/M7lc1UVf-VE"onload="alert(1)'
    assert providers.provider_for(youtube).player_url(youtube) == (
        "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?autoplay=1"
    )
