"""JSON-LD, Open Graph and X card tags as crawlers extract them from the rendered page (extruct), checked against
Google's Article structured data, ogp.me and X cards (docs/syndication.md)."""

import datetime
import json

import extruct
import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from bulletin.newsroom import listings
from bulletin.newsroom.models import Author, PublicationSettings
from tests.factories import publish_story

HOSTILE = 'Fish & chips </script><script>alert("x")</script> "quoted" <!-- \'single\' a < b'
UKRAINIAN = "Київ: у Львові відновили світло після атаки"
RATIOS = {"16:9": 16 / 9, "4:3": 4 / 3, "1:1": 1.0}


def extract(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    data = extruct.extract(page, base_url=f"http://testserver{url}", syntaxes=["json-ld", "opengraph"], uniform=False)
    og = {}
    for block in data["opengraph"]:
        for key, value in block["properties"]:
            og.setdefault(key, []).append(value)
    return data["json-ld"], og, BeautifulSoup(page, "html5lib")


def of_type(json_ld, kind):
    found = [item for item in json_ld if item.get("@type") == kind]
    assert len(found) == 1, f"one {kind} expected, got {[i.get('@type') for i in json_ld]}"
    assert found[0]["@context"] == "https://schema.org"
    return found[0]


def check_news_article(article, soup, story):
    """Every rule of Google's Article structured data for one story page."""
    assert article["headline"] == soup.h1.get_text() == story.title
    times = soup.select(".story__dates time")
    published = datetime.datetime.fromisoformat(article["datePublished"])
    modified = datetime.datetime.fromisoformat(article["dateModified"])
    assert published.utcoffset() is not None and modified.utcoffset() is not None
    assert modified >= published
    # The offsets and instants the reader sees in the byline.
    assert article["datePublished"] == times[0]["datetime"]
    assert article["dateModified"] == (times[1]["datetime"] if story.updated_at else times[0]["datetime"])
    authors = article["author"]
    assert [a["name"] for a in authors] == [a.name for a in story.authors]
    for person, author in zip(authors, story.authors, strict=True):
        assert person["@type"] == "Person" and not person["name"].startswith("By ")
        assert person["url"] == f"http://testserver{author.get_absolute_url()}"
    for image in article.get("image", []):
        assert image["url"].startswith("http://testserver/media/")
        assert image["width"] * image["height"] >= 50_000
    if "image" in article:
        ratios = [image["width"] / image["height"] for image in article["image"]]
        for name, ratio in RATIOS.items():
            assert any(abs(r - ratio) / ratio <= 0.01 for r in ratios), f"no {name} image"


def check_open_graph(og, soup, story=None):
    """§3: og:title/type/image/url on every page, og:url the canonical URL, image properties after og:image."""
    for key in ("og:title", "og:type", "og:image", "og:url"):
        assert og.get(key) and all(og[key]), key
    canonical = soup.find("link", rel="canonical")["href"]
    assert og["og:url"] == [canonical]
    assert og["og:image:alt"][0] and int(og["og:image:width"][0]) and int(og["og:image:height"][0])
    metas = [m.get("property") for m in soup.head.find_all("meta") if m.get("property")]
    assert metas[metas.index("og:image") + 1 : metas.index("og:image") + 5] == [
        "og:image:alt",
        "og:image:width",
        "og:image:height",
        "og:image:type",
    ]
    twitter = {m["name"]: m["content"] for m in soup.head.find_all("meta") if m.get("name", "").startswith("twitter:")}
    assert twitter["twitter:card"] == "summary_large_image"
    assert len(twitter["twitter:title"]) <= 70 and len(twitter["twitter:description"]) <= 200
    assert len(twitter["twitter:image:alt"]) <= 420
    assert int(og["og:image:width"][0]) == 2 * int(og["og:image:height"][0]), "2:1 for summary_large_image"
    if story is not None:
        assert og["og:type"] == ["article"] and og["og:title"] == [story.title]
        assert og["article:published_time"] == [soup.select(".story__dates time")[0]["datetime"]]
        assert og["article:author"] == [f"http://testserver{a.get_absolute_url()}" for a in story.authors]
        assert og["article:section"] == [story.section.name]
        assert og.get("article:tag", []) == [tag.name for tag in story.tags.all()]
    return twitter


def test_story_page_has_a_valid_news_article_breadcrumbs_and_previews(client, db):
    story = next(s for s in listings.latest(10) if s.updated_at).specific
    json_ld, og, soup = extract(client, story.url)
    article = of_type(json_ld, "NewsArticle")
    check_news_article(article, soup, story)
    assert len(article["image"]) == 3
    assert article["publisher"]["name"] == "Bulletin" and article["articleSection"] == story.section.name
    check_open_graph(og, soup, story)
    assert og["og:image"][0].startswith("http://testserver/media/") and og["og:image:type"] == ["image/jpeg"]
    crumbs = of_type(json_ld, "BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"]) for c in crumbs] == [(1, "News Feed"), (2, story.section.name), (3, story.title)]
    assert crumbs[1]["item"] == f"http://testserver{story.section.get_absolute_url()}"
    assert crumbs[2]["item"] == soup.find("link", rel="canonical")["href"] == f"http://testserver{story.url}"


def test_story_without_an_image_has_no_empty_image_properties(client, db):
    story = publish_story("A story told in words alone")
    json_ld, og, soup = extract(client, story.url)
    article = of_type(json_ld, "NewsArticle")
    check_news_article(article, soup, story)
    assert "image" not in article
    assert all(value not in ("", None, []) for value in article.values())
    check_open_graph(og, soup, story)
    assert og["og:image"] == ["http://testserver/static/syndication/share-card.png"]  # the publication's card
    for meta in soup.head.find_all("meta"):
        assert meta.get("content", "x").strip(), meta


def test_an_editors_preview_of_a_story_never_published_has_no_dates_yet(db, feed_page):
    from bulletin.newsroom.models import Byline, Section, StoryPage

    draft = StoryPage(
        title="Draft headline",
        slug="draft-headline",
        summary="Not out yet.",
        section=Section.objects.first(),
        live=False,
    )
    draft.bylines = [Byline(author=Author.objects.first())]
    feed_page.add_child(instance=draft)
    response = draft.make_preview_request()
    assert response.status_code == 200
    page = response.render().content.decode() if hasattr(response, "render") else response.content.decode()
    article = of_type(extruct.extract(page, syntaxes=["json-ld"], uniform=False)["json-ld"], "NewsArticle")
    assert article["headline"] == "Draft headline" and "datePublished" not in article


def test_five_authors_are_five_people(client, db):
    authors = list(Author.objects.order_by("pk")[:5])
    story = publish_story("Written by five", authors=authors)
    json_ld, og, soup = extract(client, story.url)
    check_news_article(of_type(json_ld, "NewsArticle"), soup, story)
    assert len(og["article:author"]) == 5


def test_a_hostile_headline_cannot_break_out_of_the_json_ld_block(client, db):
    story = publish_story(HOSTILE, summary=f"About {HOSTILE}")
    json_ld, og, soup = extract(client, story.url)
    article = of_type(json_ld, "NewsArticle")
    assert article["headline"] == HOSTILE and article["description"] == f"About {HOSTILE}"
    check_news_article(article, soup, story)
    assert og["og:title"] == [HOSTILE]
    scripts = soup.find_all("script")
    assert [s.get("type") for s in scripts if not s.get("src")] == ["application/ld+json"] * 2
    for script in scripts:
        if script.get("type") == "application/ld+json":
            json.loads(script.string)  # the whole block is still one JSON document
    assert "<script>alert" not in client.get(story.url).content.decode()


def test_a_ukrainian_story(client, db):
    story = publish_story(UKRAINIAN, slug="київ-світло", summary="Світло повернулося до тисяч домівок.")
    url = story.url
    json_ld, og, soup = extract(client, url)
    article = of_type(json_ld, "NewsArticle")
    check_news_article(article, soup, story)
    assert article["url"] == "http://testserver/%D0%BA%D0%B8%D1%97%D0%B2-%D1%81%D0%B2%D1%96%D1%82%D0%BB%D0%BE/"
    assert og["og:title"] == [UKRAINIAN]


def test_an_update_moves_date_modified_with_the_byline(client, db):
    story = publish_story("Developing story")
    before = of_type(extract(client, story.url)[0], "NewsArticle")
    assert before["dateModified"] == before["datePublished"]
    story.updated_at = story.first_published_at + datetime.timedelta(hours=3)
    story.save_revision().publish()
    story.refresh_from_db()
    json_ld, og, soup = extract(client, story.url)
    after = of_type(json_ld, "NewsArticle")
    check_news_article(after, soup, story)
    assert after["datePublished"] == before["datePublished"] and after["dateModified"] > before["dateModified"]
    assert og["article:modified_time"] == [after["dateModified"]]


def test_dates_follow_the_configured_time_zone(client, db, settings):
    settings.TIME_ZONE = "America/New_York"
    story = publish_story("Filed from New York")
    with timezone.override("America/New_York"):
        json_ld, _, soup = extract(client, story.url)
    article = of_type(json_ld, "NewsArticle")
    assert article["datePublished"][-6:] in ("-05:00", "-04:00")
    check_news_article(article, soup, story)


def test_author_page_is_a_profile_page(client, db):
    author = Author.objects.filter(bylines__page__live=True).exclude(bio="").first()
    json_ld, og, soup = extract(client, author.get_absolute_url())
    profile = of_type(json_ld, "ProfilePage")
    person = profile["mainEntity"]
    assert person["@type"] == "Person" and person["name"] == author.name == soup.h1.get_text()
    assert person["url"] == profile["url"] == f"http://testserver{author.get_absolute_url()}"
    assert person["description"] == author.bio and person["image"].startswith("http://testserver/media/")
    check_open_graph(og, soup)
    assert og["og:type"] == ["profile"]


@pytest.mark.parametrize("url", ["/", "/sections/war/", "/page/2/"])
def test_every_reader_page_has_a_canonical_url_and_open_graph(client, db, url):
    json_ld, og, soup = extract(client, url)
    assert soup.find("link", rel="canonical")["href"] == f"http://testserver{url}"
    if url != "/page/2/":
        check_open_graph(og, soup)


def test_x_account_from_the_settings_names_the_site(client, db):
    publication = PublicationSettings.load()
    publication.x_account = "@kyivevening"
    publication.full_clean()
    publication.save()
    soup = extract(client, listings.latest(1)[0].url)[2]
    assert soup.find("meta", attrs={"name": "twitter:site"})["content"] == "@kyivevening"


def test_discovery_links_point_at_each_pages_own_feeds(client, db):
    for url, prefix in [
        ("/", "/feeds/"),
        ("/sections/war/", "/sections/war/"),
        ("/tags/kharkiv/", "/tags/kharkiv/"),
        ("/authors/nataliia-polishchuk/", "/authors/nataliia-polishchuk/"),
    ]:
        soup = extract(client, url)[2]
        links = soup.head.find_all("link", rel="alternate")
        assert [(link["type"], link["href"]) for link in links] == [
            ("application/rss+xml", f"http://testserver{prefix}rss.xml"),
            ("application/atom+xml", f"http://testserver{prefix}atom.xml"),
            ("application/feed+json", f"http://testserver{prefix}feed.json"),
        ]
        for link in links:
            assert link["title"] and client.get(link["href"]).status_code == 200
