"""Resolving an embed's URL once (on save) and reading what was kept (on every render, with no network)."""

import dataclasses
import io
import logging

import requests
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, UnidentifiedImageError
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.exceptions import EmbedException
from wagtail.embeds.models import Embed

from .finders import TIMEOUT, ProviderFinder
from .models import EmbedSnapshot
from .providers import Provider, provider_for

logger = logging.getLogger(__name__)

#: A thumbnail larger than this is not kept (providers send 50–300 KB).
MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024
#: The formats a thumbnail may have, by Pillow's name, with the suffix it is stored under (uploads/serving.py
#: serves these inline, anything else as a download).
THUMBNAIL_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
#: How long the reason of a failed resolution is kept for the editor's message after the save.
FAILURE_SECONDS = 600


class EmbedUnavailable(Exception):
    """The provider could not be reached or does not know the post; ``reason`` says which, for the editor."""

    def __init__(self, provider, url, reason):
        super().__init__(f"{provider.name} did not give the embed for {url}: {reason}")
        self.provider, self.url, self.reason = provider, url, reason


def _failure_key(url):
    return f"bulletin.embeds.failure:{get_embed_hash(url)}"


def resolve(url):
    """The Embed of ``url``: from the database, else from its provider (then stored, with a local thumbnail).

    An Embed past its cache_until is asked for again; if the provider is unreachable then, the stored one is
    returned. Raises EmbedUnavailable when there is none to return.
    """
    provider = provider_for(url)
    if provider is None:
        raise ValueError(f"not an embed URL: {url}")
    key = get_embed_hash(url)
    stored = Embed.objects.filter(hash=key).first()
    if stored is not None and (stored.cache_until is None or stored.cache_until > timezone.now()):
        return stored
    try:
        data, published_at = ProviderFinder().find_post(url)
    except EmbedException as error:
        if stored is not None:
            logger.warning("embed %s not refreshed, kept as it was: %s", url, error)
            return stored
        reason = str(error) or "it does not know this post"
        cache.set(_failure_key(url), reason, FAILURE_SECONDS)
        raise EmbedUnavailable(provider, url, reason) from error
    for field in ("width", "height"):
        try:
            data[field] = int(data[field])
        except (TypeError, ValueError):  # TikTok and SoundCloud say "100%"
            data[field] = None
    data["html"] = data.get("html") or ""
    data["thumbnail_url"] = data.get("thumbnail_url") or ""
    embed, _ = Embed.objects.update_or_create(hash=key, defaults={"url": url, "max_width": None, **data})
    snapshot, _ = EmbedSnapshot.objects.get_or_create(embed=embed)
    snapshot.published_at = published_at
    _keep_thumbnail(snapshot, data["thumbnail_url"], key)
    snapshot.save()
    cache.delete(_failure_key(url))
    return embed


def failure_reason(url):
    """Why the last resolution of ``url`` failed, if it did in the last FAILURE_SECONDS."""
    return cache.get(_failure_key(url))


def _keep_thumbnail(snapshot, url, key):
    """Download the thumbnail at ``url`` into the media folder; a card without a thumbnail if that fails."""
    if snapshot.thumbnail:
        snapshot.thumbnail.delete(save=False)
    snapshot.thumbnail_width = snapshot.thumbnail_height = None
    if not url.startswith(("https://", "http://")):
        return
    try:
        with requests.get(url, timeout=TIMEOUT, stream=True) as response:
            response.raise_for_status()
            body = response.raw.read(MAX_THUMBNAIL_BYTES + 1, decode_content=True)
        if len(body) > MAX_THUMBNAIL_BYTES:
            raise ValueError(f"larger than {MAX_THUMBNAIL_BYTES} bytes")
        # Identify and check the file without decoding its pixels: only a raster image is ever served.
        with Image.open(io.BytesIO(body)) as image:
            suffix = THUMBNAIL_FORMATS.get(image.format)
            if suffix is None:
                raise ValueError(f"a {image.format} file, not a JPEG, PNG, GIF or WebP image")
            width, height = image.size
            image.verify()
    except (requests.RequestException, OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        logger.warning("embed thumbnail %s not kept: %s", url, error)
        return
    # One file per embed URL: a new resolution replaces the file rather than adding one beside it.
    name = snapshot.thumbnail.field.generate_filename(snapshot, f"{key}.{suffix}")
    snapshot.thumbnail.storage.delete(name)
    snapshot.thumbnail.save(f"{key}.{suffix}", ContentFile(body), save=False)
    snapshot.thumbnail_width, snapshot.thumbnail_height = width, height


@dataclasses.dataclass(frozen=True)
class Card:
    """What a reader's card shows of an embed. ``resolved`` is False for a post not yet resolved: a plain link."""

    url: str
    provider: Provider
    resolved: bool = False
    title: str = ""
    author: str = ""
    thumbnail_url: str = ""
    thumbnail_width: int = None
    thumbnail_height: int = None
    published_at: object = None

    @property
    def player_url(self):
        return self.provider.player_url(self.url) if self.resolved else ""


def card_for(url):
    """The Card of ``url`` from what the database holds (never the network), or None if it is no embed URL."""
    provider = provider_for(url)
    if provider is None:
        return None
    embed = Embed.objects.filter(hash=get_embed_hash(url)).select_related("snapshot").first()
    if embed is None:
        return Card(url=url, provider=provider)
    snapshot = getattr(embed, "snapshot", None)
    thumbnail = snapshot.thumbnail if snapshot is not None and snapshot.thumbnail else None
    return Card(
        url=url,
        provider=provider,
        resolved=True,
        title=embed.title,
        author=embed.author_name,
        thumbnail_url=thumbnail.url if thumbnail else "",
        thumbnail_width=snapshot.thumbnail_width if thumbnail else None,
        thumbnail_height=snapshot.thumbnail_height if thumbnail else None,
        published_at=snapshot.published_at if snapshot is not None else None,
    )
