"""Local stand-ins for the embed providers: one HTTP server on 127.0.0.1 that answers as each provider does.

Use the fixtures, not the class:

- ``embed_providers`` (per test): the server, with this process's settings pointing Bulletin's finders at it.
  ``embed_providers.POSTS[key]`` is a post URL each provider knows; ``embed_providers.requests`` lists every
  request it got; ``with embed_providers.unreachable("youtube"):`` makes a provider drop every connection.
- ``local_embed_providers`` (per session): the same server without touching settings, for a `bulletin serve`
  subprocess: ``server_env(..., **local_embed_providers.env())``. The browser tests' server (tests/e2e/conftest.py)
  runs with it, so an end-to-end test can paste ``local_embed_providers.POSTS["youtube"]`` into a story.

The answers follow each provider's documented oEmbed response (fields, types and the odd ones: TikTok's and
SoundCloud's width "100%", X's missing title and thumbnail, Meta's access token) and Telegram's widget page.
Players are small HTML pages under /player/<provider>/, so a test can see the frame load.
"""

import contextlib
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

#: The token the local Graph API takes (Meta's app access token is "app id|client token").
META_TOKEN = "123456789|local-client-token"

#: One post per provider that the local server knows, by provider key.
POSTS = {
    "telegram": "https://t.me/kyivindependent_official/12345",
    "x": "https://x.com/Interior/status/507185938620219395",
    "youtube": "https://www.youtube.com/watch?v=M7lc1UVf-VE",
    "vimeo": "https://vimeo.com/76979871",
    "facebook": "https://www.facebook.com/facebook/posts/10153231379946729",
    "facebook_video": "https://www.facebook.com/facebook/videos/10153231379946729/",
    "instagram": "https://www.instagram.com/p/BUawPlPF_Rx/",
    "tiktok": "https://www.tiktok.com/@scout2015/video/6718335390845095173",
    "soundcloud": "https://soundcloud.com/forss/flickermood",
}
#: The time Telegram's page gives for its post.
TELEGRAM_POST_TIME = "2026-01-19T14:05:31+00:00"


def _jpeg(color):
    out = io.BytesIO()
    Image.new("RGB", (480, 360), color).save(out, "JPEG")
    return out.getvalue()


THUMBNAILS = {"youtube.jpg": _jpeg("red"), "vimeo.jpg": _jpeg("blue"), "telegram.jpg": _jpeg("green")}
THUMBNAILS["tiktok.jpg"] = THUMBNAILS["soundcloud.jpg"] = THUMBNAILS["instagram.jpg"] = _jpeg("gray")
#: A "thumbnail" that is a script, which Bulletin must never keep.
THUMBNAILS["hostile.svg"] = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

#: A post's widget page as t.me serves it (its shape, with our own post): {channel}, {post}, {base}, {time} filled in.
TELEGRAM_PAGE = (Path(__file__).parent / "files" / "telegram_post.html").read_text()
TELEGRAM_NOT_FOUND = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Telegram Widget</title></head>
<body class="body_widget_post emoji_image nodark">
<div class="tgme_widget_message_error">Post not found</div>
</body></html>
"""


def oembed_answers(base):
    """{provider key: {post URL: its oEmbed answer}}, in each provider's format, pointing at ``base``."""
    return {
        "youtube": {
            POSTS["youtube"]: {
                "title": "YouTube Developers Live: Embedded Web Player Customization",
                "author_name": "Google for Developers",
                "author_url": "https://www.youtube.com/@GoogleDevelopers",
                "type": "video",
                "height": 113,
                "width": 200,
                "version": "1.0",
                "provider_name": "YouTube",
                "provider_url": "https://www.youtube.com/",
                "thumbnail_height": 360,
                "thumbnail_width": 480,
                "thumbnail_url": f"{base}/thumbs/youtube.jpg",
                "html": '<iframe width="200" height="113" src="https://www.youtube.com/embed/M7lc1UVf-VE?feature=oembed"'
                ' frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; '
                'picture-in-picture; web-share" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen '
                'title="YouTube Developers Live: Embedded Web Player Customization"></iframe>',
            }
        },
        "vimeo": {
            POSTS["vimeo"]: {
                "type": "video",
                "version": "1.0",
                "provider_name": "Vimeo",
                "provider_url": "https://vimeo.com/",
                "title": "The New Vimeo Player (You Know, For Videos)",
                "author_name": "Vimeo",
                "author_url": "https://vimeo.com/staff",
                "is_plus": "0",
                "account_type": "enterprise",
                "html": '<iframe src="https://player.vimeo.com/video/76979871?app_id=122963" width="640" height="360"'
                ' frameborder="0" allow="autoplay; fullscreen; picture-in-picture; clipboard-write" '
                'title="The New Vimeo Player (You Know, For Videos)"></iframe>',
                "width": 640,
                "height": 360,
                "duration": 62,
                "description": "It may look (mostly) the same on the surface, but under the hood we totally rebuilt.",
                "thumbnail_url": f"{base}/thumbs/vimeo.jpg",
                "thumbnail_width": 640,
                "thumbnail_height": 360,
                "upload_date": "2013-10-15 14:08:29",
                "video_id": 76979871,
                "uri": "/videos/76979871",
            }
        },
        "x": {
            POSTS["x"]: {
                "url": "https://twitter.com/Interior/status/507185938620219395",
                "author_name": "US Department of the Interior",
                "author_url": "https://twitter.com/Interior",
                "html": '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Sunsets don&#39;t get much better '
                'than this one over <a href="https://twitter.com/GrandTetonNPS">@GrandTetonNPS</a>. '
                '<a href="https://twitter.com/hashtag/nature?src=hash">#nature</a> '
                '<a href="http://t.co/YuKy2rcjyU">pic.twitter.com/YuKy2rcjyU</a></p>&mdash; US Department of the '
                'Interior (@Interior) <a href="https://twitter.com/Interior/status/507185938620219395">September 3, '
                '2014</a></blockquote>\n<script async src="https://platform.twitter.com/widgets.js" '
                'charset="utf-8"></script>\n',
                "width": 550,
                "height": None,
                "type": "rich",
                "cache_age": "3153600000",
                "provider_name": "Twitter",
                "provider_url": "https://twitter.com",
                "version": "1.0",
            }
        },
        "facebook": {
            POSTS["facebook"]: {
                "author_name": "Facebook",
                "author_url": "https://www.facebook.com/facebook",
                "provider_url": "https://www.facebook.com",
                "provider_name": "Facebook",
                "success": True,
                "height": None,
                "html": '<div id="fb-root"></div> <script async="1" defer="1" crossorigin="anonymous" '
                'src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&amp;version=v23.0"></script>'
                '<div class="fb-post" data-href="https://www.facebook.com/facebook/posts/10153231379946729" '
                'data-width="552"><blockquote cite="https://www.facebook.com/facebook/posts/10153231379946729" '
                'class="fb-xfbml-parse-ignore"><p>How people build and share with each other is changing.</p>'
                'Posted by <a href="https://www.facebook.com/facebook">Facebook</a> on&nbsp;'
                '<a href="https://www.facebook.com/facebook/posts/10153231379946729">Thursday, August 27, 2015</a>'
                "</blockquote></div>",
                "type": "rich",
                "version": "1.0",
                "url": POSTS["facebook"],
                "width": 552,
            }
        },
        "facebook_video": {
            POSTS["facebook_video"]: {
                "author_name": "Facebook",
                "author_url": "https://www.facebook.com/facebook",
                "provider_url": "https://www.facebook.com",
                "provider_name": "Facebook",
                "success": True,
                "height": 280,
                "html": '<div id="fb-root"></div><div class="fb-video" data-href="'
                + POSTS["facebook_video"]
                + '" data-width="500"><blockquote class="fb-xfbml-parse-ignore"><p>A video.</p></blockquote></div>',
                "type": "video",
                "version": "1.0",
                "url": POSTS["facebook_video"],
                "width": 500,
            }
        },
        "instagram": {
            POSTS["instagram"]: {
                "version": "1.0",
                "author_name": "diegoquinteiro",
                "provider_name": "Instagram",
                "provider_url": "https://www.instagram.com/",
                "type": "rich",
                "width": 658,
                "html": '<blockquote class="instagram-media" data-instgrm-captioned '
                'data-instgrm-permalink="https://www.instagram.com/p/BUawPlPF_Rx/?utm_source=ig_embed" '
                'data-instgrm-version="14"><div><a href="https://www.instagram.com/p/BUawPlPF_Rx/">A post shared by '
                "Diego Quinteiro (@diegoquinteiro)</a></div></blockquote> "
                '<script async src="//www.instagram.com/embed.js"></script>',
                "thumbnail_url": f"{base}/thumbs/instagram.jpg",
                "thumbnail_width": 640,
                "thumbnail_height": 640,
            }
        },
        "tiktok": {
            POSTS["tiktok"]: {
                "version": "1.0",
                "type": "video",
                "title": "Scramble up ur name & I'll try to guess it 😍❤️ #foryoupage #petsoftiktok #aesthetic",
                "author_url": "https://www.tiktok.com/@scout2015",
                "author_name": "Scout, Suki & Stella",
                "width": "100%",
                "height": "100%",
                "html": '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@scout2015/video/'
                '6718335390845095173" data-video-id="6718335390845095173" style="max-width: 605px;min-width: '
                '325px;"><section><a target="_blank" title="@scout2015" href="https://www.tiktok.com/@scout2015">'
                '@scout2015</a></section></blockquote> <script async src="https://www.tiktok.com/embed.js"></script>',
                "thumbnail_width": 720,
                "thumbnail_height": 1280,
                "thumbnail_url": f"{base}/thumbs/tiktok.jpg",
                "provider_url": "https://www.tiktok.com",
                "provider_name": "TikTok",
            }
        },
        "soundcloud": {
            POSTS["soundcloud"]: {
                "version": 1.0,
                "type": "rich",
                "provider_name": "SoundCloud",
                "provider_url": "https://soundcloud.com",
                "height": 400,
                "width": "100%",
                "title": "Flickermood by Forss",
                "description": "From the Soulhack album.",
                "thumbnail_url": f"{base}/thumbs/soundcloud.jpg",
                "html": '<iframe width="100%" height="400" scrolling="no" frameborder="no" '
                'src="https://w.soundcloud.com/player/?visual=true&url=https%3A%2F%2Fapi.soundcloud.com%2Ftracks%2F293'
                '&show_artwork=true"></iframe>',
                "author_name": "Forss",
                "author_url": "https://soundcloud.com/forss",
            }
        },
    }


#: The path of each provider's endpoint on the local server, shaped like the real one.
ENDPOINT_PATHS = {
    "youtube": "/youtube/oembed",
    "vimeo": "/vimeo/api/oembed.json",
    "x": "/x/oembed",
    "facebook": "/graph/v23.0/oembed_post",
    "facebook_video": "/graph/v23.0/oembed_video",
    "instagram": "/graph/v23.0/instagram_oembed",
    "tiktok": "/tiktok/oembed",
    "soundcloud": "/soundcloud/oembed",
    "telegram": "/telegram",
}
META = {"facebook", "facebook_video", "instagram"}


class LocalProviders:
    """The server (started by ``start``), what it was asked, and which providers are pretending to be down."""

    POSTS = POSTS
    META_TOKEN = META_TOKEN

    def __init__(self):
        self.requests, self.down, self.extra_answers = [], set(), {}
        handler = type("Handler", (_Handler,), {"providers": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.answers = oembed_answers(self.url)

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def setting(self):
        """BULLETIN_EMBED_PROVIDERS for this server: every endpoint and player on 127.0.0.1."""
        return {
            key: {"endpoint": self.url + path, "player": f"{self.url}/player/{key}"}
            for key, path in ENDPOINT_PATHS.items()
        }

    def env(self):
        """The environment variables that point a `bulletin` process at this server."""
        return {
            "BULLETIN_EMBED_PROVIDERS": json.dumps(self.setting()),
            "BULLETIN_META_ACCESS_TOKEN": META_TOKEN,
        }

    @contextlib.contextmanager
    def unreachable(self, *keys):
        """Within the block, the providers ``keys`` drop every connection without an answer."""
        self.down.update(keys)
        try:
            yield
        finally:
            self.down.difference_update(keys)

    def reset(self):
        self.requests.clear()
        self.down.clear()
        self.extra_answers.clear()


class _Handler(BaseHTTPRequestHandler):
    providers = None  # set per server

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.providers.requests.append(self.path)
        parts = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        key = next(
            (k for k, path in ENDPOINT_PATHS.items() if parts.path == path or parts.path.startswith(path + "/")),
            None,
        )
        if parts.path.startswith("/player/"):
            key = parts.path.split("/")[2]
        if key in self.providers.down:
            self.close_connection = True  # no status line: the client sees the connection drop
            return
        if parts.path.startswith("/thumbs/") and parts.path[8:] in THUMBNAILS:
            kind = "image/svg+xml" if parts.path.endswith(".svg") else "image/jpeg"
            return self._send(200, kind, THUMBNAILS[parts.path[8:]])
        if parts.path.startswith("/player/"):
            return self._send(200, "text/html; charset=utf-8", f"<!DOCTYPE html><title>{key} player</title>".encode())
        if key == "telegram":
            return self._telegram(parts.path, query)
        if key is not None:
            return self._oembed(key, query)
        self._send(404, "text/plain", b"Not Found")

    def _telegram(self, path, query):
        channel, _, post = path[len(ENDPOINT_PATHS["telegram"]) + 1 :].partition("/")
        known = f"https://t.me/{channel}/{post}" == POSTS["telegram"]
        if query.get("embed") != "1":
            return self._send(302, "text/html", b"", location=f"https://telegram.org/?{channel}")
        page = TELEGRAM_PAGE if known else TELEGRAM_NOT_FOUND
        base = self.providers.url + ENDPOINT_PATHS["telegram"]
        body = page.format(channel=channel, post=post, base=base, time=TELEGRAM_POST_TIME)
        body = body.replace(f"{base}/thumbs/", f"{self.providers.url}/thumbs/")
        self._send(200, "text/html; charset=utf-8", body.encode())

    def _oembed(self, key, query):
        if key in META and query.get("access_token") != META_TOKEN:
            error = {
                "error": {
                    "message": "Invalid OAuth access token - Cannot parse access token",
                    "type": "OAuthException",
                    "code": 190,
                    "fbtrace_id": "AbCdEf",
                }
            }
            return self._send(400, "application/json", json.dumps(error).encode())
        if query.get("format", "json") != "json":
            return self._send(501, "text/plain", b"Not Implemented")
        answers = {**self.providers.answers[key], **self.providers.extra_answers.get(key, {})}
        answer = answers.get(query.get("url"))
        if answer is None:
            return self._send(404, "text/plain", b"Not Found")
        self._send(200, "application/json", json.dumps(answer).encode())

    def _send(self, status, kind, body, location=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def local_embed_providers():
    """Local stand-ins for the embed providers on 127.0.0.1, for the session (settings untouched)."""
    providers = LocalProviders().start()
    yield providers
    providers.stop()


@pytest.fixture
def embed_providers(local_embed_providers, settings):
    """The local embed providers, with Bulletin's finders in this process pointed at them; reset for each test."""
    local_embed_providers.reset()
    settings.BULLETIN_EMBED_PROVIDERS = local_embed_providers.setting()
    settings.BULLETIN_META_ACCESS_TOKEN = META_TOKEN
    yield local_embed_providers
    local_embed_providers.reset()
