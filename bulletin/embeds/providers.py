"""The providers a story may embed, what URLs each one takes, where its data comes from and where its player lives.

Each provider's endpoint (its oEmbed endpoint; for Telegram, the site that serves its post pages) and player
(the origin, with an optional path prefix, that the reader's click loads in a frame) can be changed with the
``BULLETIN_EMBED_PROVIDERS`` setting, for a proxy, a new API version, or the tests' local servers
(docs/settings.md). The players' origins are the Content-Security-Policy's ``frame-src`` (bulletin/web).
"""

import dataclasses
import re
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: The kinds of post, as schema.org names their type in a story's JSON-LD.
VIDEO, AUDIO, POST = "VideoObject", "AudioObject", "SocialMediaPosting"


@dataclasses.dataclass(frozen=True)
class Provider:
    """One provider: ``patterns`` match the URLs of its posts, with a named group for each part of ``player_path``."""

    key: str
    name: str
    patterns: tuple
    endpoint: str
    player: str
    #: The player's path and query, formatted with the groups of the matching pattern and ``url`` (quoted).
    player_path: str
    kind: str = POST
    #: oEmbed endpoints that take Meta's app access token (app id|client token) as access_token.
    needs_meta_token: bool = False

    @property
    def oembed(self):
        """Whether the provider answers oEmbed (all but Telegram)."""
        return self.key != "telegram"

    def match(self, url):
        for pattern in self.patterns:
            found = pattern.match(url)
            if found:
                return found
        return None

    def player_url(self, url):
        """The URL of the player a reader's click loads for the post at ``url``."""
        found = self.match(url)
        parts = {name: quote(value, safe="") for name, value in found.groupdict().items() if value is not None}
        return self.player.rstrip("/") + self.player_path.format(url=quote(url, safe=""), **parts)

    @property
    def player_origin(self):
        parts = urlsplit(self.player)
        return f"{parts.scheme}://{parts.netloc}"


def _patterns(*patterns):
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


# URL shapes from each provider's embedding documentation; the endpoints are the documented oEmbed endpoints
# (Meta's Graph API needs a version: the current one when this was written).
DEFAULT_PROVIDERS = (
    Provider(
        key="telegram",
        name="Telegram",
        patterns=_patterns(
            r"^https?://(?:www\.)?(?:t|telegram)\.me/(?:s/)?(?P<channel>[a-z]\w{3,31})/(?P<post>\d+)/?(?:\?.*)?$"
        ),
        endpoint="https://t.me",
        player="https://t.me",
        player_path="/{channel}/{post}?embed=1",
    ),
    Provider(
        key="x",
        name="X",
        patterns=_patterns(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\w{1,15}/status(?:es)?/(?P<post>\d+)"),
        endpoint="https://publish.twitter.com/oembed",
        player="https://platform.twitter.com",
        player_path="/embed/Tweet.html?id={post}",
    ),
    Provider(
        key="youtube",
        name="YouTube",
        patterns=_patterns(
            r"^https?://(?:www\.|m\.)?youtube\.com/watch\?(?:[^#]*&)?v=(?P<video>[\w-]{11})",
            r"^https?://youtu\.be/(?P<video>[\w-]{11})",
            r"^https?://(?:www\.|m\.)?youtube\.com/(?:shorts|live|embed)/(?P<video>[\w-]{11})",
        ),
        endpoint="https://www.youtube.com/oembed",
        # YouTube's privacy-enhanced mode: no cookie until the reader plays the video.
        player="https://www.youtube-nocookie.com",
        player_path="/embed/{video}?autoplay=1",
        kind=VIDEO,
    ),
    Provider(
        key="vimeo",
        name="Vimeo",
        patterns=_patterns(
            r"^https?://(?:www\.)?vimeo\.com/(?:channels/[\w-]+/|groups/[\w-]+/videos/)?(?P<video>\d+)",
            r"^https?://player\.vimeo\.com/video/(?P<video>\d+)",
        ),
        endpoint="https://vimeo.com/api/oembed.json",
        player="https://player.vimeo.com",
        player_path="/video/{video}?autoplay=1&dnt=1",
        kind=VIDEO,
    ),
    Provider(
        key="facebook_video",
        name="Facebook",
        patterns=_patterns(
            r"^https?://(?:www\.|m\.)?facebook\.com/(?:[\w.-]+/videos/(?:[\w.-]+/)?\d+|watch/?\?v=\d+|reel/\d+)",
            r"^https?://fb\.watch/\w+",
        ),
        endpoint="https://graph.facebook.com/v23.0/oembed_video",
        player="https://www.facebook.com",
        player_path="/plugins/video.php?href={url}&autoplay=true",
        kind=VIDEO,
        needs_meta_token=True,
    ),
    Provider(
        key="facebook",
        name="Facebook",
        patterns=_patterns(
            r"^https?://(?:www\.|m\.)?facebook\.com/(?:[\w.-]+/(?:posts|photos)/[\w.:-]+|permalink\.php\?story_fbid="
            r"|photo(?:\.php)?/?\?fbid=|share/p/\w+)",
        ),
        endpoint="https://graph.facebook.com/v23.0/oembed_post",
        player="https://www.facebook.com",
        player_path="/plugins/post.php?href={url}&show_text=true",
        needs_meta_token=True,
    ),
    Provider(
        key="instagram",
        name="Instagram",
        patterns=_patterns(r"^https?://(?:www\.)?instagram\.com/(?:[\w.]+/)?(?P<kind>p|reel|tv)/(?P<post>[\w-]+)"),
        endpoint="https://graph.facebook.com/v23.0/instagram_oembed",
        player="https://www.instagram.com",
        player_path="/{kind}/{post}/embed/",
        needs_meta_token=True,
    ),
    Provider(
        key="tiktok",
        name="TikTok",
        patterns=_patterns(r"^https?://(?:www\.|m\.)?tiktok\.com/@[\w.-]+/video/(?P<video>\d+)"),
        endpoint="https://www.tiktok.com/oembed",
        # TikTok's embed player (developers.tiktok.com, "Embed Player").
        player="https://www.tiktok.com",
        player_path="/player/v1/{video}?autoplay=1",
        kind=VIDEO,
    ),
    Provider(
        key="soundcloud",
        name="SoundCloud",
        patterns=_patterns(r"^https?://(?:www\.|m\.)?soundcloud\.com/[\w-]+/(?:sets/)?[\w-]+/?(?:\?.*)?$"),
        endpoint="https://soundcloud.com/oembed",
        player="https://w.soundcloud.com",
        player_path="/player/?url={url}&auto_play=true",
        kind=AUDIO,
    ),
)


#: What BULLETIN_EMBED_PROVIDERS may change for a provider.
ADJUSTABLE = {"endpoint", "player"}


def providers():
    """The providers, with the endpoints and players that ``BULLETIN_EMBED_PROVIDERS`` changes."""
    overrides = settings.BULLETIN_EMBED_PROVIDERS
    keys = {provider.key for provider in DEFAULT_PROVIDERS}
    for key, changes in overrides.items():
        if key not in keys or not set(changes) <= ADJUSTABLE:
            raise ImproperlyConfigured(
                f"BULLETIN_EMBED_PROVIDERS: {key!r} {sorted(changes)}: providers are {sorted(keys)}, "
                f"each may change {sorted(ADJUSTABLE)}"
            )
    return [
        dataclasses.replace(provider, **overrides[provider.key]) if provider.key in overrides else provider
        for provider in DEFAULT_PROVIDERS
    ]


def provider_for(url):
    """The Provider that embeds ``url``, or None."""
    for provider in providers():
        if provider.match(url or ""):
            return provider
    return None


def is_supported(url):
    """Whether ``url`` is a post or video a story can embed (an importer turns such links into embed blocks)."""
    return provider_for(url) is not None


def provider_names():
    """ "Telegram, X, YouTube, …": the providers as an editor knows them."""
    return ", ".join(dict.fromkeys(provider.name for provider in DEFAULT_PROVIDERS))


def player_origins():
    """The origins of every provider's player, in order, once each: what frame-src allows."""
    return list(dict.fromkeys(provider.player_origin for provider in providers()))
