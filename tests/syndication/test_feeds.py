"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 as their consumers read them (docs/syndication.md): feedparser for RSS
and Atom, json plus the JSON Feed 1.1 rules by hand (feedparser 6 cannot read JSON Feed)."""

import datetime
import email.utils
import html
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from bulletin.newsroom import listings
from bulletin.newsroom.models import Author, Section, Tag
from tests.factories import publish_story

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
DC = "{http://purl.org/dc/elements/1.1/}"
FEED_URLS = {"rss": "/feeds/rss.xml", "atom": "/feeds/atom.xml", "json": "/feeds/feed.json"}
TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
HOSTILE = 'Fish & chips <script>alert("x")</script> "quoted" \'single\' a < b > c ]]> &amp;'
UKRAINIAN = "Київ: у Львові відновили світло після атаки на енергосистему"


def parse(client, url, fmt=None):
    """GET ``url`` and parse it as its consumer would; feedparser is told the Content-Type it was served with."""
    response = client.get(url)
    assert response.status_code == 200, url
    fmt = fmt or next(name for name, path in FEED_URLS.items() if url.endswith(path.rsplit("/", 1)[1]))
    assert response["Content-Type"] == TYPES[fmt]
    if fmt == "json":
        return json.loads(response.content)
    parsed = feedparser.parse(response.content, response_headers={"content-type": response["Content-Type"]})
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[fmt]
    return parsed


def collection_urls():
    section = Section.objects.get(slug="war")
    tag = Tag.objects.filter(stories__live=True).first()
    author = Author.objects.filter(bylines__page__live=True).first()
    return [(c, c.get_absolute_url()) for c in (section, tag, author)]


def item_for(parsed, story, fmt):
    """The one item of ``parsed`` that links to ``story``."""
    items = parsed["items"] if fmt == "json" else parsed.entries
    link = f"http://testserver{iri_to_uri(story.url)}"
    matches = [item for item in items if item["url" if fmt == "json" else "link"] == link]
    assert len(matches) == 1, f"{story.url} not once in the feed"
    return matches[0]


def check_json_feed(data, feed_url):
    """The JSON Feed 1.1 rules (https://www.jsonfeed.org/version/1.1/)."""
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str) and data["title"]
    assert isinstance(data["items"], list)
    assert data["home_page_url"].startswith("http") and data["feed_url"].endswith(feed_url)
    ids = [item["id"] for item in data["items"]]
    assert len(ids) == len(set(ids)), "item ids are unique"
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert "author" not in item, "1.1 uses authors; author is deprecated"
        assert item["authors"] and all(a["name"] and a["url"].startswith("http") for a in item["authors"])
        for key in ("date_published", "date_modified"):
            parsed = _rfc3339(item[key])
            assert parsed.utcoffset() is not None
        assert _rfc3339(item["date_modified"]) >= _rfc3339(item["date_published"])
        assert item["url"].startswith("http")
        assert None not in item.values()


def _rfc3339(value):
    assert "T" in value and (value.endswith("Z") or value[-6] in "+-"), value
    return datetime.datetime.fromisoformat(value)


def check_rss_channel(content):
    """RSS 2.0 rules feedparser does not check (it is not a validator)."""
    root = ET.fromstring(content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channels = root.findall("channel")
    assert len(channels) == 1
    channel = channels[0]
    for name in ("title", "link", "description"):
        assert channel.findtext(name), f"channel needs <{name}>"
    self_link = channel.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("type") == "application/rss+xml"
    for item in channel.findall("item"):
        assert item.findtext("title") or item.findtext("description")
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false", "opaque ids must not claim to be URLs"
        date = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
        assert date.utcoffset() is not None and item.findtext("pubDate").split()[3].isdigit()
        assert len(item.findtext("pubDate").split()[3]) == 4, "RFC 822 dates with a 4-digit year"
        enclosure = item.find("enclosure")
        if enclosure is not None:
            assert enclosure.get("url") and enclosure.get("type") and int(enclosure.get("length")) > 0
    return channel


def check_atom(content):
    """RFC 4287: one id, title and updated per feed and entry, an author for each entry, a self link."""
    root = ET.fromstring(content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert entry.findall(f"{ATOM}author") or root.findall(f"{ATOM}author")
        assert len(entry.findall(f"{ATOM}link[@rel='alternate']")) == 1
        updated = entry.findtext(f"{ATOM}updated")
        assert "T" in updated and (updated.endswith("Z") or updated[-6] in "+-")
    return root


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_site_feed_lists_the_newest_stories_with_their_fields(client, db, fmt):
    newest = list(listings.latest(20))
    parsed = parse(client, FEED_URLS[fmt])
    items = parsed["items"] if fmt == "json" else parsed.entries
    assert len(items) == 20
    links = [item["url"] if fmt == "json" else item.link for item in items]
    assert links == [f"http://testserver{story.url}" for story in newest]
    story = newest[0].specific
    item = item_for(parsed, story, fmt)
    authors = [a.name for a in story.authors]
    categories = [story.section.name, *(t.name for t in story.tags.all())]
    if fmt == "json":
        check_json_feed(parsed, FEED_URLS[fmt])
        assert item["title"] == story.title and item["summary"] == story.summary
        assert [a["name"] for a in item["authors"]] == authors and item["tags"] == categories
        assert "<p>" in item["content_html"] and item["image"].startswith("http://testserver/media/")
        assert parsed["language"] == "en"
    else:
        assert item.title == story.title
        assert html.unescape(item.summary) == story.summary
        assert [t.term for t in item.tags] == categories
        assert "<p>" in item.content[0].value and 'src="http://testserver/media/' in item.content[0].value
        assert item.published_parsed and (fmt == "rss" or item.updated_parsed)  # RSS items have no updated date
        assert parsed.feed.title == "Bulletin" and parsed.feed.language == "en"
        if fmt == "rss":
            root = check_rss_channel(client.get(FEED_URLS[fmt]).content)
            xml_item = root.find("item")
            assert [c.text for c in xml_item.findall(f"{DC}creator")] == authors
            media = xml_item.find(f"{MEDIA}content")
            assert media.get("medium") == "image" and int(media.get("width")) * int(media.get("height")) > 0
            assert xml_item.find("enclosure").get("url") == media.get("url")
        else:
            check_atom(client.get(FEED_URLS[fmt]).content)
            assert [a.name for a in item.authors] == authors
            assert [link.rel for link in item.links] == ["alternate", "enclosure"]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_each_section_tag_and_author_has_feeds_of_its_own_stories(client, db, fmt):
    for collection, folder in collection_urls():
        file_name = FEED_URLS[fmt].rsplit("/", 1)[1]
        parsed = parse(client, f"{folder}{file_name}", fmt)
        items = parsed["items"] if fmt == "json" else parsed.entries
        expected = [f"http://testserver{s.url}" for s in listings.Listing(collection).head()[:20]]
        assert [item["url"] if fmt == "json" else item.link for item in items] == expected
        title = parsed["title"] if fmt == "json" else parsed.feed.title
        assert title == f"{collection.name} · Bulletin"


def test_unknown_collection_feed_is_404(client, db):
    assert client.get("/sections/no-such-section/rss.xml").status_code == 404
    assert client.get("/stories/x/rss.xml").status_code == 404


def test_feed_dates_carry_the_site_offset_and_match_the_story(client, db):
    story = publish_story("Dated story")
    story.updated_at = story.first_published_at + datetime.timedelta(hours=2)
    story.save_revision().publish()
    story.refresh_from_db()
    item = item_for(parse(client, "/feeds/feed.json", "json"), story, "json")
    published = timezone.localtime(story.first_published_at).replace(microsecond=0)
    assert item["date_published"] == published.isoformat()
    assert item["date_modified"] == (published + datetime.timedelta(hours=2)).isoformat()
    rss_item = item_for(parse(client, "/feeds/rss.xml", "rss"), story, "rss")
    assert email.utils.parsedate_to_datetime(rss_item.published) == published


def test_an_update_changes_the_updated_date_but_not_the_id(client, db):
    story = publish_story("Story that will be updated")
    before = {fmt: item_for(parse(client, FEED_URLS[fmt], fmt), story, fmt) for fmt in FEED_URLS}
    story.title = "Story that was updated"
    story.slug = "story-that-was-updated"
    story.updated_at = story.first_published_at + datetime.timedelta(minutes=45)
    story.save_revision().publish()
    story.refresh_from_db()
    after = {fmt: item_for(parse(client, FEED_URLS[fmt], fmt), story, fmt) for fmt in FEED_URLS}
    assert after["json"]["id"] == before["json"]["id"] and after["json"]["id"].startswith("tag:")
    assert after["json"]["date_modified"] > before["json"]["date_modified"]
    assert after["json"]["date_published"] == before["json"]["date_published"]
    for fmt in ("rss", "atom"):
        assert after[fmt].id == before[fmt].id == before["json"]["id"]
    assert after["atom"].updated_parsed > before["atom"].updated_parsed
    assert after["atom"].title == "Story that was updated"


def test_a_story_without_an_image_has_no_image_elements(client, db):
    story = publish_story("No picture here")
    assert story.feature_image is None
    item = item_for(parse(client, "/feeds/feed.json", "json"), story, "json")
    assert "image" not in item
    rss = check_rss_channel(client.get("/feeds/rss.xml").content)
    xml_item = next(i for i in rss.findall("item") if i.findtext("title") == "No picture here")
    assert xml_item.find("enclosure") is None and xml_item.find(f"{MEDIA}content") is None
    atom = item_for(parse(client, "/feeds/atom.xml", "atom"), story, "atom")
    assert [link.rel for link in atom.links] == ["alternate"]


def test_five_authors_are_all_named(client, db):
    authors = list(Author.objects.order_by("pk")[:5])
    story = publish_story("Written by five", authors=authors)
    names = [a.name for a in authors]
    assert [a["name"] for a in item_for(parse(client, "/feeds/feed.json", "json"), story, "json")["authors"]] == names
    atom = item_for(parse(client, "/feeds/atom.xml", "atom"), story, "atom")
    assert [a.name for a in atom.authors] == names
    rss = check_rss_channel(client.get("/feeds/rss.xml").content)
    xml_item = next(i for i in rss.findall("item") if i.findtext("title") == "Written by five")
    assert [c.text for c in xml_item.findall(f"{DC}creator")] == names
    for author in authors:  # and the story is in each author's own feeds
        data = parse(client, f"{author.get_absolute_url()}feed.json", "json")
        assert data["items"][0]["title"] == "Written by five"


def test_renamed_authors_sections_and_tags_show_in_items_whose_bodies_were_kept(client, db):
    """Item bodies are kept between renders (feeds._CONTENTS); the names around them are read fresh."""
    author, section = Author.objects.order_by("pk").first(), Section.objects.order_by("pk").first()
    story = publish_story("Named around", authors=[author], section=section)
    story.tags.set([Tag.objects.order_by("pk").first()])
    story.save_revision().publish()
    parse(client, "/feeds/feed.json", "json")  # the body is now kept
    author.name, section.name = "Renamed Author", "Renamed Section"
    author.save()
    section.save()
    tag = story.tags.get()
    tag.name = "Renamed Tag"
    tag.save()
    item = item_for(parse(client, "/feeds/feed.json", "json"), story, "json")
    assert [a["name"] for a in item["authors"]] == ["Renamed Author"]
    assert item["tags"] == ["Renamed Section", "Renamed Tag"]


def test_a_headline_full_of_markup_characters_survives_every_format(client, db):
    story = publish_story(HOSTILE, summary=f"Summary: {HOSTILE}")
    for fmt in ("rss", "atom"):
        item = item_for(parse(client, FEED_URLS[fmt], fmt), story, fmt)
        assert item.title == HOSTILE
        assert html.unescape(item.summary) == f"Summary: {HOSTILE}"
    data = parse(client, "/feeds/feed.json", "json")
    check_json_feed(data, "/feeds/feed.json")
    item = item_for(data, story, "json")
    assert item["title"] == HOSTILE and item["summary"] == f"Summary: {HOSTILE}"


def test_a_ukrainian_story_keeps_its_text_and_escapes_its_url(client, db):
    story = publish_story(UKRAINIAN, slug="київ-світло", summary="Світло повернулося до тисяч домівок.")
    for fmt in ("rss", "atom"):
        item = item_for(parse(client, FEED_URLS[fmt], fmt), story, fmt)
        assert item.title == UKRAINIAN
        assert item.link == "http://testserver/%D0%BA%D0%B8%D1%97%D0%B2-%D1%81%D0%B2%D1%96%D1%82%D0%BB%D0%BE/"
    item = item_for(parse(client, "/feeds/feed.json", "json"), story, "json")
    assert item["title"] == UKRAINIAN and item["summary"] == "Світло повернулося до тисяч домівок."
    assert UKRAINIAN.encode() in client.get("/feeds/feed.json").content, "UTF-8, not \\u escapes"


def test_body_html_is_sanitized_and_absolute_in_feeds(client, db):
    hostile = (
        '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<a href="/sections/war/">war</a></p>'
    )
    story = publish_story("Body check", body=[("paragraph", hostile)])
    content = item_for(parse(client, "/feeds/feed.json", "json"), story, "json")["content_html"]
    assert "<script" not in content and "onclick" not in content and "javascript:" not in content
    assert 'href="http://testserver/sections/war/"' in content


def test_kept_item_bodies_follow_edits_of_the_story_and_of_the_stories_its_link_cards_show(client, db):
    linked = publish_story("The linked story")
    story = publish_story(
        "The linking story",
        body=[
            ("paragraph", "<p>First version.</p>"),
            ("link_card", {"story": linked, "url": "", "title": "", "description": "", "image": None, "publisher": ""}),
        ],
    )

    def content():
        return item_for(parse(client, "/feeds/feed.json", "json"), story, "json")["content_html"]

    assert "First version." in content() and "The linked story" in content()
    linked.title = "The linked story, renamed"
    linked.save_revision().publish()
    assert "The linked story, renamed" in content()
    story.refresh_from_db()
    story.body = [("paragraph", "<p>Second version.</p>")]
    story.save_revision().publish()
    assert "Second version." in content() and "First version." not in content()


@pytest.mark.parametrize("url", ["/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json", "/tags/kharkiv/rss.xml"])
def test_live_feeds_answer_conditional_requests(client, db, url):
    response = client.get(url)
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_an_empty_feed_is_valid_and_stable(client, db):
    tag = Tag.objects.create(name="Nothing yet", slug="nothing-yet")
    first = client.get(f"{tag.get_absolute_url()}atom.xml").content
    root = check_atom(first)
    assert root.findall(f"{ATOM}entry") == []
    assert client.get(f"{tag.get_absolute_url()}atom.xml").content == first, "the same bytes on every render"
    assert not feedparser.parse(client.get(f"{tag.get_absolute_url()}rss.xml").content).bozo
