"""A live blog publishes as a story, and each entry in O(1): its head, its one numbered page, its feeds, its event."""

import datetime
import json

import extruct
import feedparser
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.rich_text import RichText

from bulletin.live.models import LiveEvent
from bulletin.liveblogs import composer
from bulletin.liveblogs.models import ENTRIES_PER_PAGE, LiveBlogEntry, LiveBlogPage
from bulletin.newsroom.models import NewsFeedPage, StoryPage
from bulletin.publishing import build
from bulletin.publishing.paths import file_for
from bulletin.publishing.publisher import OutboxEntry

from .conftest import make_blog


def paragraph(text):
    return [("paragraph", RichText(f"<p>{text}</p>"))]


def post(blog, text, **fields):
    return composer.add_entry(blog, {"body": paragraph(text), **fields}, user=None)


def outbox_urls(since_id):
    urls = []
    for entry in OutboxEntry.objects.filter(id__gt=since_id).order_by("id"):
        urls += entry.urls
    return urls


def test_a_live_blog_is_one_item_of_the_news_feed_and_its_updated_time_moves(blog, client):
    feed = BeautifulSoup(client.get("/").content, "html5lib")
    item = feed.select_one(f'[data-story="{blog.pk}"]')
    assert item is not None and item.select_one(".feed-item__headline").get_text(strip=True) == blog.title
    assert item.select_one(".feed-item__updated") is None
    post(blog, "Explosions were heard in the city centre.")
    feed = BeautifulSoup(client.get("/").content, "html5lib")
    assert len(feed.select(f'[data-story="{blog.pk}"]')) == 1
    assert feed.select_one(f'[data-story="{blog.pk}"] .feed-item__updated') is not None


def test_an_entry_publishes_a_bounded_set_of_files_whatever_the_size_of_the_blog(
    blog, public, django_capture_on_commit_callbacks
):
    last = OutboxEntry.objects.order_by("-id").values_list("id", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        small = post(blog, "First.")
    small_urls = outbox_urls(last)
    LiveBlogEntry.objects.bulk_create(
        [LiveBlogEntry(blog=blog, position=p, body=[]) for p in range(2, 2 + 3 * ENTRIES_PER_PAGE)]
    )
    from bulletin.newsroom.models import Sequence

    Sequence.objects.filter(name=f"liveblog:{blog.pk}").update(last_value=1 + 3 * ENTRIES_PER_PAGE)
    last = OutboxEntry.objects.order_by("-id").values_list("id", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        big = post(blog, "Sixty-second.")
    big_urls = outbox_urls(last)
    assert big.position == 2 + 3 * ENTRIES_PER_PAGE
    assert len(big_urls) == len(small_urls)
    # First, outbox entries of their own: the polling files the fronts take events from, then the head.
    first_entries = OutboxEntry.objects.filter(id__gt=last).order_by("id")[:2]
    assert [entry.urls for entry in first_entries] == [["/live/latest.json", f"/live/{blog.topic}.json"], [blog.url]]
    assert f"{blog.url}page/4/" in big_urls
    assert not any(f"{blog.url}page/{n}/" in big_urls for n in (1, 2, 3))
    assert small.numbered_page_url() == f"{blog.url}page/1/"
    head = (public / file_for(blog.url)).read_text()
    assert "Sixty-second." in head and f'id="entry-{big.pk}"' in head
    page_4 = (public / file_for(f"{blog.url}page/4/")).read_text()
    assert "Sixty-second." in page_4


def test_the_head_links_to_stable_older_pages_and_permalinks_redirect_to_them(blog, client):
    entries = [post(blog, f"Update number {n}.") for n in range(1, ENTRIES_PER_PAGE + 6)]
    head = BeautifulSoup(client.get(blog.url).content, "html5lib")
    shown = [int(a["data-entry"]) for a in head.select("[data-entry]")]
    assert len(shown) == ENTRIES_PER_PAGE and shown[0] == entries[-1].pk
    older = head.select_one('a[rel="prev"]')["href"]
    assert older == f"{blog.url}page/1/"
    first = entries[0]
    assert f'id="entry-{first.pk}"' in client.get(older).content.decode()
    response = client.get(f"{blog.url}entries/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == f"{blog.url}page/1/#entry-{first.pk}"
    newest = entries[-1]
    assert client.get(f"{blog.url}entries/{newest.pk}/")["Location"] == f"{blog.url}#entry-{newest.pk}"


def test_key_events_are_a_page_of_their_own(blog, client):
    post(blog, "A minor update.")
    key = post(blog, "Parliament votes.", is_key=True, headline="Parliament votes")
    page = BeautifulSoup(client.get(f"{blog.url}key-events/").content, "html5lib")
    assert [int(e["data-entry"]) for e in page.select("[data-entry]")] == [key.pk]
    assert page.select_one('.liveblog__filter a[aria-current="page"]').get_text() == "Key events"


def test_each_entry_is_a_live_event_on_the_blogs_topic_and_a_deletion_forgets_it(blog, client):
    entry = post(blog, "Air defence is working.", headline="Air defence at work")
    event = LiveEvent.objects.filter(payload__topic=blog.topic).latest("id")
    assert event.type == "published" and event.payload["entry"]["id"] == entry.pk
    assert f'id="entry-{entry.pk}"' in event.payload["html"]
    # The News Feed's item of the blog moves too (its own event, no topic).
    assert LiveEvent.objects.filter(type="updated", payload__story__id=blog.pk).exclude(payload__has_key="topic")

    composer.edit_entry(
        entry, {"body": paragraph("Air defence is still working."), "version": entry.version}, user=None
    )
    updated = LiveEvent.objects.filter(payload__topic=blog.topic).latest("id")
    assert updated.type == "updated" and "entry__updated" in updated.payload["html"]

    composer.delete_entry(entry)
    polled = json.loads(client.get(f"/live/{blog.topic}.json").content)["events"]
    assert [e["type"] for e in polled] == ["unpublished"]
    assert "Air defence" not in json.dumps(polled)
    assert polled[0]["entry"] == {"id": entry.pk} and polled[0]["removes"]
    assert f"entry-{entry.pk}" not in client.get(blog.url).content.decode()


def test_live_blog_posting_as_google_reads_it(blog, client):
    key = post(blog, "Power is out in three districts.", headline="Power cuts", is_key=True)
    plain = post(blog, "Trains are running late, the railway says.")
    html = client.get(blog.url).content.decode()
    data = extruct.extract(html, base_url=f"http://testserver{blog.url}", syntaxes=["json-ld"])["json-ld"]
    posting = next(item for item in data if item["@type"] == "LiveBlogPosting")
    assert not any(item["@type"] == "NewsArticle" for item in data)
    assert posting["headline"] == blog.title and posting["coverageStartTime"]
    assert "coverageEndTime" not in posting
    updates = posting["liveBlogUpdate"]
    assert [u["url"] for u in updates] == [
        f"http://testserver{blog.url}#entry-{plain.pk}",
        f"http://testserver{blog.url}#entry-{key.pk}",
    ]
    assert updates[1]["headline"] == "Power cuts" and updates[1]["@type"] == "BlogPosting"
    assert updates[0]["headline"].startswith("Trains are running late") and updates[0]["datePublished"]

    blog.status = LiveBlogPage.ENDED
    blog.save_revision().publish()
    html = client.get(blog.url).content.decode()
    posting = next(
        item
        for item in extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
        if item["@type"] == "LiveBlogPosting"
    )
    assert posting["coverageEndTime"]
    page = BeautifulSoup(html, "html5lib")
    assert "Coverage ended" in page.select_one(".liveblog__ended").get_text()
    assert page.select_one("[data-live-entries]") is None  # no live features once ended


def test_an_ended_blog_links_to_the_next_one(blog, client):
    follow_up = make_blog("Day two of the attack", slug="missile-attack-day-two")
    blog.status, blog.next_blog = LiveBlogPage.ENDED, follow_up
    blog.save_revision().publish()
    link = BeautifulSoup(client.get(blog.url).content, "html5lib").select_one(".liveblog__ended a")
    assert link["href"] == follow_up.url


def test_the_blog_has_its_own_rss_atom_and_json_feeds(blog, client):
    entry = post(blog, "Rescuers are at the scene <script>alert(1)</script>.", headline="Rescuers at the scene")
    rss = feedparser.parse(client.get(f"{blog.url}rss.xml").content)
    atom = feedparser.parse(client.get(f"{blog.url}atom.xml").content)
    assert not rss.bozo and not atom.bozo
    for parsed in (rss, atom):
        assert parsed.feed.title == blog.title
        assert parsed.entries[0].title == "Rescuers at the scene"
        assert parsed.entries[0].link.endswith(f"{blog.url}entries/{entry.pk}/")
    assert "<script" not in rss.entries[0].content[0].value
    feed = json.loads(client.get(f"{blog.url}feed.json").content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["items"][0]["title"] == "Rescuers at the scene"


def test_news_sitemap_lists_the_blog_while_it_is_live(blog, client):
    assert blog.url.strip("/") in client.get("/sitemaps/news.xml").content.decode()
    # Live for three days: still news, unlike a story of that age.
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    StoryPage.objects.filter(pk=blog.pk).update(first_published_at=three_days_ago)
    story = StoryPage(title="A story of three days ago", slug="three-days-ago", summary="Old news.", live=False)
    story.section = blog.section
    NewsFeedPage.objects.get().add_child(instance=story)
    story.save_revision().publish()
    StoryPage.objects.filter(pk=story.pk).update(first_published_at=three_days_ago)
    news = client.get("/sitemaps/news.xml").content.decode()
    assert blog.url.strip("/") in news and story.url.strip("/") not in news
    blog.refresh_from_db()
    blog.status = LiveBlogPage.ENDED
    blog.save_revision().publish()
    assert blog.url.strip("/") not in client.get("/sitemaps/news.xml").content.decode()


def test_build_renders_every_page_of_a_blog_and_check_passes(blog, public, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(ENTRIES_PER_PAGE + 1):
            post(blog, f"Entry {n}.")
    assert (public / file_for(f"{blog.url}page/2/")).is_file()
    assert (public / file_for(f"{blog.url}rss.xml")).is_file()
    assert (public / file_for(f"/live/{blog.topic}.json")).is_file()
    assert build.check().ok


def test_the_news_feed_routes_to_a_blogs_older_page_even_from_a_copy_cached_before_it_had_children(blog, rf):
    from bulletin.newsroom.models import NewsFeedPage

    post(blog, "First.")
    feed = NewsFeedPage.objects.get()
    feed.numchild = 0  # as in the Site cache (web/middleware.py) of a site cached before its first story
    found = feed.route(rf.get(f"{blog.url}page/1/"), [blog.slug, "page", "1"])
    assert found.page.pk == blog.pk
