import random
from datetime import timedelta

from bs4 import BeautifulSoup

from bulletin.demo import text
from bulletin.liveblogs import demo
from bulletin.liveblogs.models import LiveBlogPage
from bulletin.newsroom.models import Author, NewsFeedPage, Section
from tests.conftest import DEMO_NOW


def test_the_demo_has_an_ended_blog_of_a_day_and_a_live_one_both_in_the_news_feed(db, client):
    live, ended = demo.build(
        random.Random(1),
        NewsFeedPage.objects.get(),
        DEMO_NOW,
        Section.objects.first(),
        list(Author.objects.all()),
        text.sentence,
        text.paragraph,
    )
    live.refresh_from_db()
    ended.refresh_from_db()
    assert ended.status == LiveBlogPage.ENDED and ended.next_blog.specific == live
    assert ended.entries.count() == demo.ENDED_ENTRIES
    times = sorted(ended.entries.values_list("posted_at", flat=True))
    assert timedelta(hours=23) < times[-1] - times[0] <= timedelta(days=1)
    assert live.status == LiveBlogPage.LIVE
    assert all(DEMO_NOW - timedelta(hours=3) <= t <= DEMO_NOW for t in live.entries.values_list("posted_at", flat=True))
    feed = BeautifulSoup(client.get("/").content, "html5lib")
    assert feed.select_one(f'[data-story="{live.pk}"]') and feed.select_one(f'[data-story="{ended.pk}"]')
    page = BeautifulSoup(client.get(ended.url).content, "html5lib")
    assert page.select_one(".liveblog__ended a")["href"] == live.url
