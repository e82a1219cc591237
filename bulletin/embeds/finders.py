"""Wagtail embed finders for the providers: oEmbed through Wagtail's own finder, and one for Telegram's post pages.

Telegram offers no oEmbed. Its widget (telegram-widget.js) frames the post's public page,
``t.me/<channel>/<post>?embed=1``, whose HTML carries the post: the channel's name
(``.tgme_widget_message_owner_name``), the text (``.tgme_widget_message_text``), the picture or video frame as a
CSS background image (``.tgme_widget_message_photo_wrap``, ``.tgme_widget_message_video_thumb``, a link preview's
``.link_preview_image``) and the time (``time[datetime]``); a post that does not exist gives
``.tgme_widget_message_error`` instead. The finder reads those classes, which Telegram's own widget styles depend
on, and nothing of the page's layout.
"""

import re
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator
from wagtail.embeds.exceptions import EmbedNotFoundException, EmbedUnsupportedProviderException
from wagtail.embeds.finders.base import EmbedFinder
from wagtail.embeds.finders.oembed import OEmbedFinder

from .providers import provider_for

#: Seconds to wait for Telegram's page (Wagtail's oEmbed finder waits 10).
TIMEOUT = 10
#: A card's title when the post has none of its own (X, Telegram, Facebook posts): the start of its text.
TITLE_WORDS = 30
_BACKGROUND_URL = re.compile(r"background-image\s*:\s*url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class ProviderFinder(EmbedFinder):
    """Finds the embeds of Bulletin's providers (providers.py) and no others."""

    def accept(self, url):
        return provider_for(url) is not None

    def find_embed(self, url, max_width=None, max_height=None):
        return self.find_post(url)[0]

    def find_post(self, url):
        """(Wagtail's embed data, the post's publication time or None) for ``url``.

        Raises EmbedNotFoundException, with the reason, when the provider cannot be reached or does not know it.
        """
        provider = provider_for(url)
        if provider is None:
            raise EmbedUnsupportedProviderException
        if not provider.oembed:
            return telegram_post(provider, url)
        options = {}
        if provider.needs_meta_token:
            if not settings.BULLETIN_META_ACCESS_TOKEN:
                raise EmbedNotFoundException(f"{provider.name} embeds need BULLETIN_META_ACCESS_TOKEN to be set")
            options["access_token"] = settings.BULLETIN_META_ACCESS_TOKEN
        # Wagtail's finder re-compiles each pattern: a compiled one passes through with its flags.
        finder = OEmbedFinder(providers=[{"endpoint": provider.endpoint, "urls": provider.patterns}], options=options)
        embed = finder.find_embed(url)
        if not embed["title"]:
            embed["title"] = _shorten(BeautifulSoup(embed["html"] or "", "html.parser").get_text(" ", strip=True))
        embed["provider_name"] = embed["provider_name"] or provider.name
        return embed, None


def _shorten(text):
    return Truncator(" ".join(text.split())).words(TITLE_WORDS)


def telegram_post(provider, url):
    """(embed data, time) of a public Telegram post, read from its widget page."""
    found = provider.match(url)
    channel, post = found["channel"], found["post"]
    page = f"{provider.endpoint.rstrip('/')}/{channel}/{post}?embed=1"
    try:
        response = requests.get(page, timeout=TIMEOUT, headers={"User-Agent": "Mozilla/5.0 (Bulletin)"})
        response.raise_for_status()
    except requests.RequestException as error:
        raise EmbedNotFoundException(f"Request failed: {error}") from error
    return parse_telegram_post(response.text, page, channel, post)


def parse_telegram_post(html, page, channel, post):
    """(embed data, time) from the HTML of a post's widget page ``page``."""
    soup = BeautifulSoup(html, "html.parser")
    message = soup.select_one(".tgme_widget_message")
    if message is None:
        error = soup.select_one(".tgme_widget_message_error")
        reason = error.get_text(" ", strip=True) if error else "the page is not a Telegram post"
        raise EmbedNotFoundException(f"Telegram: {reason}")
    owner = message.select_one(".tgme_widget_message_owner_name")
    author = owner.get_text(" ", strip=True) if owner else channel
    text = message.select_one(".tgme_widget_message_text")
    title = _shorten(text.get_text(" ", strip=True)) if text else ""
    thumbnail = ""
    for picture in message.select(
        ".tgme_widget_message_photo_wrap, .tgme_widget_message_video_thumb, "
        ".tgme_widget_message_roundvideo_thumb, .link_preview_image"
    ):
        background = _BACKGROUND_URL.search(picture.get("style", ""))
        if background:
            thumbnail = urljoin(page, background.group(1))
            break
    time = message.select_one("time[datetime]")
    published_at = parse_datetime(time["datetime"]) if time else None
    embed = {
        "type": "rich",
        "title": title or f"Post by {author}",
        "author_name": author,
        "provider_name": "Telegram",
        "thumbnail_url": thumbnail,
        # Telegram's own embed code, as its widget builder writes it (readers get our card, never this).
        "html": (
            '<script async src="https://telegram.org/js/telegram-widget.js?22" '
            f'data-telegram-post="{channel}/{post}" data-width="100%"></script>'
        ),
        "width": None,
        "height": None,
    }
    return embed, published_at
