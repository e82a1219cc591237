"""schema.org data (JSON-LD) and link-preview tags (Open Graph, X cards) for reader pages.

Each function returns plain data; the template tags (templatetags/syndication_tags.py) put it in the page.
Rules and sources: Google's Article structured data
(https://developers.google.com/search/docs/appearance/structured-data/article), ogp.me and X's card markup;
docs/syndication.md lists what each page carries.
"""

import json

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from bulletin.embeds.blocks import EmbedBlock
from bulletin.embeds.providers import AUDIO, VIDEO
from bulletin.embeds.resolution import card_for

from . import dates, images

#: X truncates longer card titles, descriptions and alt texts (developer.x.com, cards markup).
X_TITLE_MAX, X_DESCRIPTION_MAX, X_IMAGE_ALT_MAX = 70, 200, 420
#: Shown for pages without a picture of their own: og:image is required on every page with Open Graph.
SHARE_CARD = {"path": "syndication/share-card.png", "width": 1200, "height": 600, "type": "image/png"}

#: A JSON-LD block is raw text inside <script>: "</script>" or "<!--" in a headline must not end or change it.
#: Escaping <, > and & as JSON escapes keeps the JSON equal and the HTML inert (Django's json_script does the same).
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    """``data`` as a <script type="application/ld+json"> data block (not executed, so the CSP allows it)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def _absolute(request, url):
    return request.build_absolute_uri(url)


def page_url(request, story=None):
    """The page's canonical address: a story's original when it was first published elsewhere (its canonical URL,
    kept by an import), else the address of this page."""
    if story is not None and story.canonical_url:
        return story.canonical_url
    return _absolute(request, request.path)


def _person(author, request):
    person = {"@type": "Person", "name": author.name, "url": _absolute(request, author.get_absolute_url())}
    if author.job_title:
        person["jobTitle"] = author.job_title
    return person


def news_article(story, request, publication):
    """NewsArticle: the headline is the page's h1, the dates are the byline's, each author a Person."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": page_url(request, story),
        "url": page_url(request, story),
        "headline": story.title,
        "description": story.summary,
        "author": [_person(author, request) for author in story.authors],
        "publisher": {"@type": "Organization", "name": publication.name, "url": _absolute(request, "/")},
        "articleSection": story.section.name,
        "inLanguage": publication.language,
    }
    if story.first_published_at:  # an editor's preview of a story never published has no dates yet
        data["datePublished"] = dates.w3c(story.first_published_at)
        data["dateModified"] = dates.w3c(dates.last_modified(story))
    pictures = images.article_images(story, request)
    if pictures:
        data["image"] = [
            {"@type": "ImageObject", "url": picture.url, "width": picture.width, "height": picture.height}
            for picture in pictures
        ]
    tags = [tag.name for tag in story.tags.all()]
    if tags:
        data["keywords"] = tags
    data.update(embedded_works(story, request))
    return data


#: The NewsArticle property that holds each kind of embed (schema.org CreativeWork: video, audio, citation).
EMBED_PROPERTIES = {VIDEO: "video", AUDIO: "audio"}


def embedded_works(story, request):
    """The story's resolved embeds as schema.org objects, by property: {"video": [VideoObject…], …}.

    Google's video structured data wants name, thumbnailUrl and uploadDate; Bulletin gives uploadDate where the
    provider told it (Telegram's pages do, oEmbed has no such field). Posts are SocialMediaPostings the story cites.
    """
    works = {}
    for child in story.body:
        card = card_for(child.value) if isinstance(child.block, EmbedBlock) else None
        if card is None or not card.resolved:
            continue
        work = {"@type": card.provider.kind, "url": card.url}
        if card.provider.kind in EMBED_PROPERTIES:
            work.update(name=card.title, embedUrl=card.player_url)
            if card.thumbnail_url:
                work["thumbnailUrl"] = _absolute(request, card.thumbnail_url)
            if card.published_at:
                work["uploadDate"] = dates.w3c(card.published_at)
        else:
            work["headline"] = card.title
            if card.thumbnail_url:
                work["image"] = _absolute(request, card.thumbnail_url)
            if card.published_at:
                work["datePublished"] = dates.w3c(card.published_at)
        works.setdefault(EMBED_PROPERTIES.get(card.provider.kind, "citation"), []).append(work)
    return works


def breadcrumbs(story, request):
    """News Feed › section › story."""
    trail = [("News Feed", "/"), (story.section.name, story.section.get_absolute_url()), (story.title, request.path)]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": number, "name": name, "item": _absolute(request, url)}
            for number, (name, url) in enumerate(trail, start=1)
        ],
    }


def profile_page(author, request):
    """ProfilePage whose main entity is the author, as Google suggests for the page an author.url points to."""
    person = _person(author, request)
    if author.bio:
        person["description"] = author.bio
    if author.avatar:
        person["image"] = _absolute(request, author.avatar.get_rendition("fill-400x400").url)
    links = [link.url for link in author.links.all()]
    if links:
        person["sameAs"] = links
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": _absolute(request, request.path),
        "mainEntity": person,
    }


def _shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def share_image(story, request):
    """The 2:1 picture of a link preview: the story's feature image, or the publication's card."""
    if story is not None and story.feature_image is not None:
        picture = images.renditions(story.feature_image, [images.SHARE_IMAGE_SPEC], request, story.feature_image_alt)[0]
        return {
            "url": picture.url,
            "width": picture.width,
            "height": picture.height,
            "type": picture.mime_type,
            "alt": picture.alt,
        }
    return {
        "url": _absolute(request, static(SHARE_CARD["path"])),
        "width": SHARE_CARD["width"],
        "height": SHARE_CARD["height"],
        "type": SHARE_CARD["type"],
        "alt": "",
    }


def preview_tags(request, publication, title, description, og_type="website", story=None):
    """Open Graph and X card properties, in order, as (attribute, name, content) triples."""
    image = share_image(story, request)
    image_alt = image["alt"] or publication.name
    tags = [
        ("property", "og:type", og_type),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", page_url(request, story)),
        ("property", "og:site_name", publication.name),
        # Structured image properties follow their og:image (ogp.me).
        ("property", "og:image", image["url"]),
        ("property", "og:image:alt", image_alt),
        ("property", "og:image:width", str(image["width"])),
        ("property", "og:image:height", str(image["height"])),
        ("property", "og:image:type", image["type"]),
    ]
    if story is not None and story.first_published_at:
        tags += [
            ("property", "article:published_time", dates.w3c(story.first_published_at)),
            ("property", "article:modified_time", dates.w3c(dates.last_modified(story))),
        ]
    if story is not None:
        tags += [
            *(("property", "article:author", _absolute(request, a.get_absolute_url())) for a in story.authors),
            ("property", "article:section", story.section.name),
            *(("property", "article:tag", tag.name) for tag in story.tags.all()),
        ]
    tags += [
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", _shorten(title, X_TITLE_MAX)),
        ("name", "twitter:description", _shorten(description, X_DESCRIPTION_MAX)),
        ("name", "twitter:image", image["url"]),
        ("name", "twitter:image:alt", _shorten(image_alt, X_IMAGE_ALT_MAX)),
    ]
    if publication.x_account:
        tags.append(("name", "twitter:site", publication.x_account))
    return tags
