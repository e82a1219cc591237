"""The sitemap index, the month and collection sitemaps, the Google News sitemap and robots.txt, parsed as XML
with each rule of Google News's sitemap guidelines and sitemaps.org asserted."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from bulletin.newsroom.models import Author, PublicationSettings, Section, StoryPage, Tag
from bulletin.syndication import sitemaps
from tests.conftest import DEMO_NOW
from tests.factories import publish_story

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
#: YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.s]]TZD (W3C datetime)
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # well-formed UTF-8 XML, or this raises


def locations(root, kind="url"):
    return [element.findtext(f"{SM}loc") for element in root.findall(f"{SM}{kind}")]


def news_entries(client):
    root = xml(client, "/sitemaps/news.xml")
    assert root.tag == f"{SM}urlset"
    return root.findall(f"{SM}url")


def check_news_entry(url):
    """Each Google News rule for one <url>."""
    assert url.findtext(f"{SM}loc").startswith("http://testserver/")
    news = url.findall(f"{NEWS}news")
    assert len(news) == 1, "at most one news:news per url"
    publications = news[0].findall(f"{NEWS}publication")
    assert len(publications) == 1
    assert publications[0].findtext(f"{NEWS}name") and "(" not in publications[0].findtext(f"{NEWS}name")
    assert re.fullmatch(r"[a-z]{2,3}|zh-cn|zh-tw", publications[0].findtext(f"{NEWS}language"))
    assert W3C.match(news[0].findtext(f"{NEWS}publication_date"))
    return news[0]


def test_index_lists_news_each_month_and_the_collections(client, db):
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{SM}sitemapindex"
    months = [f"stories-{m:%Y-%m}" for m in sitemaps.months_with_stories()]
    assert months == ["stories-2026-01"]
    assert locations(root, "sitemap") == [
        f"http://testserver/sitemaps/{name}.xml" for name in ["news", *months, "sections", "tags", "authors"]
    ]
    for location in locations(root, "sitemap"):
        xml(client, location.removeprefix("http://testserver"))  # every listed sitemap exists and parses


def test_month_sitemap_lists_every_live_story_of_the_month_with_lastmod(client, db):
    root = xml(client, "/sitemaps/stories-2026-01.xml")
    expected = StoryPage.objects.live().order_by("first_published_at", "pk")
    assert locations(root) == [f"http://testserver{iri_to_uri(s.url)}" for s in expected]
    assert len(locations(root)) <= 50_000  # sitemaps.org
    for url, story in zip(root.findall(f"{SM}url"), expected, strict=True):
        lastmod = url.findtext(f"{SM}lastmod")
        assert W3C.match(lastmod)
        assert datetime.datetime.fromisoformat(lastmod) == (story.updated_at or story.first_published_at).replace(
            microsecond=0
        )


@pytest.mark.parametrize(
    "url",
    [
        "/sitemaps/stories-2019-05.xml",
        "/sitemaps/stories-2026-13.xml",
        "/sitemaps/stories-2026-1.xml",
        "/sitemaps/other.xml",
    ],
)
def test_months_without_stories_and_unknown_sitemaps_are_404(client, db, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("name", "model"), [("sections", Section), ("tags", Tag), ("authors", Author)])
def test_collection_sitemaps_list_every_page(client, db, name, model):
    root = xml(client, f"/sitemaps/{name}.xml")
    assert locations(root) == [f"http://testserver{c.get_absolute_url()}" for c in model.objects.order_by("pk")]


def test_news_sitemap_holds_the_last_48_hours_at_their_first_publication(client, db, settings):
    publication = PublicationSettings.load()
    publication.name, publication.language = "Kyiv Evening News", "uk"
    publication.save()
    recent = [publish_story(f"Recent story {n}") for n in range(3)]
    entries = news_entries(client)
    assert [e.findtext(f"{SM}loc") for e in entries] == [f"http://testserver{s.url}" for s in reversed(recent)]
    for entry, story in zip(entries, reversed(recent), strict=True):
        news = check_news_entry(entry)
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Kyiv Evening News"
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "uk"
        assert news.findtext(f"{NEWS}title") == story.title
        published = datetime.datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
        assert published == story.first_published_at.replace(microsecond=0)
        assert published >= timezone.now() - datetime.timedelta(hours=48)
    # The demo's stories are older than 48 hours now, so they are not there.
    assert len(entries) == 3


@pytest.mark.django_db
def test_news_stories_at_a_given_time_keep_the_window_and_the_limit(monkeypatch):
    """At the demo's end its stories of the last two days are in, older ones are not, the newest first."""
    chosen = sitemaps.news_stories(DEMO_NOW)
    assert chosen, "the demo has stories in its last two days"
    for story in chosen:
        assert DEMO_NOW - datetime.timedelta(hours=48) < story.first_published_at <= DEMO_NOW
    older = StoryPage.objects.live().filter(first_published_at__lte=DEMO_NOW - datetime.timedelta(hours=48))
    assert older.exists() and not {s.pk for s in older} & {s.pk for s in chosen}
    assert [s.first_published_at for s in chosen] == sorted((s.first_published_at for s in chosen), reverse=True)
    # The 1,000-per-file limit, shown with a smaller one: the newest are kept.
    monkeypatch.setattr(sitemaps, "NEWS_SITEMAP_MAX_STORIES", 2)
    assert sitemaps.news_stories(DEMO_NOW) == chosen[:2]


def test_news_sitemap_never_exceeds_its_limit(client, db):
    assert sitemaps.NEWS_SITEMAP_MAX_STORIES == 1000
    assert len(news_entries(client)) <= sitemaps.NEWS_SITEMAP_MAX_STORIES


def test_news_titles_are_escaped_and_ukrainian_urls_encoded(client, db):
    hostile = publish_story("Fish & chips <b>\"quoted\"</b> 'x' ]]>")
    publish_story("Київ: у Львові відновили світло", slug="київ-світло")
    entries = {e.findtext(f"{SM}loc"): e for e in news_entries(client)}
    assert entries[f"http://testserver{hostile.url}"].findtext(f"{NEWS}news/{NEWS}title") == hostile.title
    encoded = "http://testserver/%D0%BA%D0%B8%D1%97%D0%B2-%D1%81%D0%B2%D1%96%D1%82%D0%BB%D0%BE/"
    assert entries[encoded].findtext(f"{NEWS}news/{NEWS}title") == "Київ: у Львові відновили світло"
    month = xml(client, f"/sitemaps/stories-{timezone.localtime():%Y-%m}.xml")
    assert encoded in locations(month)


def test_unpublished_story_leaves_the_sitemaps(client, db):
    story = publish_story("Soon gone")
    month = f"/sitemaps/stories-{timezone.localtime(story.first_published_at):%Y-%m}.xml"
    assert f"http://testserver/sitemaps/{month.rsplit('/', 1)[1]}" in locations(xml(client, "/sitemap.xml"), "sitemap")
    story.unpublish()
    assert f"http://testserver{story.url}" not in [e.findtext(f"{SM}loc") for e in news_entries(client)]
    assert client.get(month).status_code == 404, "its month had no other story"
    assert f"http://testserver{month}" not in locations(xml(client, "/sitemap.xml"), "sitemap")


def test_robots_txt_allows_readers_pages_and_names_the_index(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert not any(line.strip() == "Disallow: /" for line in lines)


@pytest.mark.parametrize(
    "url", ["/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/stories-2026-01.xml", "/sitemaps/tags.xml", "/robots.txt"]
)
def test_live_sitemaps_answer_conditional_requests(client, db, url):
    etag = client.get(url)["ETag"]
    assert etag and client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
