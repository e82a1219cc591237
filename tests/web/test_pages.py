"""Reader pages, parsed: the News Feed, archive pages, the widget fragment, story, section, tag and author pages."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from bulletin.newsroom import listings
from bulletin.newsroom.models import Author, Section, Tag
from tests.factories import publish_story

NEWS_TIME = re.compile(
    r"^(Jan\.|Feb\.|March|April|May|June|July|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.) \d{1,2}, \d{4}, "
    r"(\d{1,2}(:\d{2})? [ap]\.m\.|noon|midnight)$"
)
KYIV_OFFSET = re.compile(r"[+-]0[23]:00$")
NEWS_CLOCK = re.compile(r"^(\d{1,2}(:\d{2})? [ap]\.m\.|noon|midnight)$")
DAY_NAME = re.compile(
    r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
    r"(Jan\.|Feb\.|March|April|May|June|July|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.) \d{1,2}(, \d{4})?$"
)


def get_soup(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return BeautifulSoup(response.content, "html5lib")


def test_news_feed_lists_the_ten_newest_with_server_rendered_times(client, db):
    soup = get_soup(client, "/")
    assert soup.h1.get_text(strip=True) == "News Feed"
    items = soup.select("[data-feed-list] .feed-item")
    expected = listings.latest()
    assert [item.select_one(".feed-item__headline a")["href"] for item in items] == [story.url for story in expected]
    previous_day = None
    for item, story in zip(items, expected, strict=True):
        # The date is said once, by the day heading above the first story of each day; an item gives the time.
        day_heading = item.select_one(".feed-day")
        assert (day_heading is not None) == (item["data-day"] != previous_day), item["data-day"]
        if day_heading:
            assert day_heading.get_text() in ("Today", item["data-day-name"])
            assert DAY_NAME.match(item["data-day-name"]), item["data-day-name"]
        previous_day = item["data-day"]
        published = item.select_one("time.feed-item__time")
        assert NEWS_CLOCK.match(published.get_text()), published.get_text()
        assert KYIV_OFFSET.search(published["datetime"]) and published["datetime"].startswith(item["data-day"])
        assert item.select_one(".feed-item__section").get_text() == story.section.name
        updated = item.select_one(".feed-item__updated")
        assert (updated is not None) == (story.updated_at is not None)
        if updated:
            assert updated.get_text(" ", strip=True).startswith("Updated ") and updated.time.get_text(strip=True)
        thumb = item.select_one("img.feed-item__thumb")
        assert (thumb is not None) == (story.feature_image_id is not None)
        if thumb:  # its box is fixed before the image arrives: no layout shift
            assert (thumb["width"], thumb["height"], thumb["alt"]) == ("120", "80", "")
    more = soup.select_one("[data-show-more]")
    assert more.get_text(strip=True) == "Show More"
    assert more["href"] == f"/page/{listings.page_number_of(listings.latest(11)[-1].feed_position)}/"


def test_demo_has_updated_and_not_updated_stories_on_the_first_pages(client, db):
    stories = listings.latest(30)
    assert any(s.updated_at for s in stories) and any(not s.updated_at for s in stories)


def test_archive_page_links_to_the_next_older_page(client, db):
    soup = get_soup(client, "/page/3/")
    positions = [int(li["data-position"]) for li in soup.select(".feed-item")]
    assert positions == list(range(30, 20, -1))
    assert soup.select_one("[data-show-more]")["href"] == "/page/2/"
    assert get_soup(client, "/page/1/").select_one("[data-show-more]") is None


@pytest.mark.parametrize(
    "url",
    [
        "/page/0/",
        "/page/999/",
        "/sections/nope/",
        "/tags/nope/",
        "/authors/nope/",
        "/sections/%3Cscript%3E/",
        "/sections/war/page/99/",
        "/sections/war/page/0/",
        "/tags/nope/page/1/",
    ],
)
def test_unknown_pages_are_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"<script>" not in response.content


def test_widget_fragment_is_the_latest_ten_without_a_page_around_it(client, db):
    response = client.get("/feed/widget/")
    assert b"<html" not in response.content
    soup = BeautifulSoup(response.content, "html5lib")
    assert [int(li["data-position"]) for li in soup.select(".feed-item")] == [
        s.feed_position for s in listings.latest()
    ]
    assert soup.select_one("[data-show-more]")


def story_with(predicate):
    return next(story.specific for story in listings.latest(60) if predicate(story.specific))


def test_story_page_has_the_reference_structure(client, db):
    story = story_with(lambda s: s.feature_image and s.updated_at and any(b.block_type == "link_card" for b in s.body))
    soup = get_soup(client, story.url)
    header = soup.select_one("article.story header")
    # The section label comes before the headline.
    assert [el.name for el in header.find_all(["p", "h1"])][:2] == ["p", "h1"]
    assert header.select_one(".story__section a").get_text() == story.section.name
    assert soup.select("h1") == [header.h1] and header.h1.get_text() == story.title
    assert soup.select_one(".story__reading-time").get_text() == f"{story.reading_minutes} min read"
    dates = soup.select(".story__dates time")
    assert NEWS_TIME.match(dates[0].get_text())
    assert soup.select_one(".story__updated").get_text(strip=True).startswith("Updated")
    figure = soup.select_one("figure.story__feature")
    assert story.feature_image_caption in figure.figcaption.get_text()
    assert figure.select_one(".credit").get_text() == f"Photo: {story.feature_image_credit}"
    assert soup.select(".story__body p")
    card = soup.select_one(".story__body .link-card")
    target = next(b.value["story"].specific for b in story.body if b.block_type == "link_card")
    assert card.select_one(".link-card__title").get_text() == target.title
    for author, box in zip(story.authors, soup.select("aside.author-box"), strict=True):
        assert box.select_one(".author-box__name").get_text(strip=True) == author.name
        assert box.select_one(".author-box__title").get_text() == author.job_title
        assert box.select_one(".author-box__bio").get_text() == author.bio
        assert box.select_one(".author-box__more")["href"] == f"/authors/{author.slug}/"
        assert box.img["alt"] == ""  # decorative: the name is next to it
    widget = soup.select_one("aside.feed-widget [data-feed-widget]")
    assert widget["data-feed-widget"] == "/feed/widget/" and widget.a["href"] == "/"


def test_story_without_update_shows_no_updated_label(client, db):
    story = story_with(lambda s: not s.updated_at)
    soup = get_soup(client, story.url)
    assert soup.select_one(".story__updated") is None and "Updated" not in soup.select_one("article").get_text()


def test_images_have_dimensions_feature_eager_and_the_rest_lazy(client, db):
    story = story_with(lambda s: s.feature_image and any(b.block_type == "image" for b in s.body))
    soup = get_soup(client, story.url)
    feature = soup.select_one(".story__feature img")
    assert feature.get("loading") is None and feature["fetchpriority"] == "high"
    assert len(feature["srcset"].split(",")) == 3
    for img in soup.select("main img"):
        assert int(img["width"]) > 0 and int(img["height"]) > 0
        if img is not feature:
            assert img["loading"] == "lazy"


def test_link_card_follows_the_current_headline_of_its_story(client, db):
    target = publish_story("The original headline")
    story = publish_story(body=[("link_card", {"story": target})])
    target.title = "A corrected headline"
    target.save_revision().publish()
    card = get_soup(client, story.url).select_one(".link-card")
    assert card.select_one(".link-card__title").get_text() == "A corrected headline"
    assert card.a["href"] == target.url
    target.unpublish()
    assert get_soup(client, story.url).select_one(".link-card") is None


def test_external_link_card_shows_what_the_editor_entered(client, db):
    story = publish_story(
        body=[
            (
                "link_card",
                {
                    "url": "https://example.org/report",
                    "title": "A report",
                    "description": "What it found.",
                    "publisher": "Example Institute",
                },
            )
        ]
    )
    card = get_soup(client, story.url).select_one(".link-card")
    assert card.a["href"] == "https://example.org/report"
    assert card.select_one(".link-card__publisher").get_text() == "Example Institute"


def test_rich_text_is_sanitized_on_output(client, db):
    hostile = (
        '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a><img src=x onerror=y></p>'
    )
    story = publish_story(body=[("paragraph", hostile)])
    body = get_soup(client, story.url).select_one(".story__body")
    assert body.find("script") is None and body.find("img") is None
    assert not body.p.has_attr("onclick") and not body.a.get("href", "").startswith("javascript")


def test_headline_and_summary_are_escaped(client, db):
    story = publish_story('<script>alert("x")</script> & <b>bold</b>', summary='"><img src=x onerror=alert(1)>')
    soup = get_soup(client, story.url)
    assert soup.h1.get_text() == '<script>alert("x")</script> & <b>bold</b>'
    assert soup.select("main script") == [] and soup.select("main .story__summary img") == []


def test_corrections_are_dated_on_the_page(client, db):
    from bulletin.newsroom.models import Correction

    story = publish_story()
    Correction.objects.create(page=story, text="An earlier version misspelled a name.")
    soup = get_soup(client, story.url)
    item = soup.select_one(".story__corrections li")
    assert NEWS_TIME.match(item.time.get_text()) and "misspelled" in item.get_text()


def test_public_pages_send_a_strict_content_security_policy(client, db, admin_client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "Content-Security-Policy" not in admin_client.get("/admin/")


def test_public_pages_have_no_inline_script(client, db):
    story = listings.latest(1)[0]
    for url in ["/", "/page/2/", story.url, "/sections/war/", "/feed/widget/"]:
        soup = get_soup(client, url)
        # JSON-LD blocks are data, never run (and allowed by the CSP); every script that runs is a file.
        scripts = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
        assert all(script.get("src") and not script.string for script in scripts), url
        assert not soup.select("[style]"), url


def card_links(soup):
    return [a["href"] for a in soup.select(".story-card h2 a")]


@pytest.mark.parametrize("kind", ["section", "tag", "author"])
def test_collection_pages_list_their_stories_newest_first(client, db, kind):
    collection = {
        "section": Section.objects.get(slug="war"),
        "tag": Tag.objects.filter(stories__live=True).first(),
        "author": Author.objects.first(),
    }[kind]
    expected = list(listings.stories_of(collection))
    assert expected, "the demo gives every collection stories"
    soup = get_soup(client, collection.get_absolute_url())
    assert card_links(soup) == [s.url for s in expected[: listings.LISTING_PAGE_SIZE]]
    assert soup.h1.get_text(" ", strip=True).startswith(collection.name)


def test_collection_archive_pages_count_from_the_oldest(client, db):
    section = Section.objects.get(slug="war")
    for _ in range(listings.LISTING_PAGE_SIZE + 3):
        publish_story(section=section)
    stories = list(listings.stories_of(section))  # newest first
    oldest_first = stories[::-1]
    page_one = get_soup(client, f"{section.get_absolute_url()}page/1/")
    assert card_links(page_one) == [s.url for s in reversed(oldest_first[: listings.LISTING_PAGE_SIZE])]
    head = get_soup(client, section.get_absolute_url())
    older = head.select_one("a[rel=next]")["href"]
    next_older = stories[listings.LISTING_PAGE_SIZE]
    assert older == f"{section.get_absolute_url()}page/{listings.Listing(section).page_number_of(next_older)}/"
    assert next_older.url in card_links(get_soup(client, older))


def test_new_stories_leave_old_collection_pages_alone(client, db):
    section = Section.objects.get(slug="war")
    for _ in range(listings.LISTING_PAGE_SIZE):
        publish_story(section=section)
    url = f"{section.get_absolute_url()}page/1/"
    before = client.get(url).content
    for _ in range(listings.LISTING_PAGE_SIZE + 5):
        publish_story(section=section)
    assert client.get(url).content == before


def test_unpublished_story_is_gone_from_every_list(client, db):
    story = listings.latest(1)[0].specific
    story.unpublish()
    urls = ["/", "/feed/widget/", story.section.get_absolute_url(), story.authors[0].get_absolute_url()]
    for url in urls:
        assert story.url not in {a["href"] for a in get_soup(client, url).select("a")}, url
    assert client.get(story.url).status_code == 410  # Gone, not Not Found: it was published here


def test_times_follow_the_configured_time_zone(client, db, settings):
    story = listings.latest(1)[0]
    kyiv = get_soup(client, story.url).select_one(".story__dates time")
    settings.TIME_ZONE = "America/New_York"
    new_york = get_soup(client, story.url).select_one(".story__dates time")
    assert kyiv["datetime"] != new_york["datetime"]
    assert new_york["datetime"].endswith("-05:00")


def test_update_time_is_time_only_on_the_day_of_publication(db):
    from bulletin.web.templatetags.newsstyle import news_datetime, news_update_time

    story = listings.latest(1)[0]
    published = story.first_published_at
    same_day = published.replace(hour=16, minute=10) if published.hour < 16 else published + timedelta(minutes=5)
    assert NEWS_TIME.match(news_datetime(published))
    assert re.fullmatch(r"\d{1,2}(:\d{2})? [ap]\.m\.|noon|midnight", news_update_time(same_day, published))
    assert NEWS_TIME.match(news_update_time(published + timedelta(days=2), published))


def test_the_navigation_marks_the_current_section_and_only_it(client, db):
    section = Section.objects.order_by("name")[1]
    for url, current in [("/", "/"), (section.get_absolute_url(), section.get_absolute_url()), ("/page/2/", None)]:
        marked = get_soup(client, url).select(".masthead__nav [aria-current]")
        assert [(a["href"], a["aria-current"]) for a in marked] == ([(current, "page")] if current else []), url
