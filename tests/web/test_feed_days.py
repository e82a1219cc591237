"""Day headings in the News Feed: labels that stay true for as long as a file is cached.

Files of the head (the News Feed, the widget) may say "Today": the publisher renders them again just after
midnight in the newsroom's time zone. Files cached for long (archive pages) only carry absolute dates with the
weekday and year. See web/templatetags/news_feed.py.
"""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from django.test import override_settings
from django.utils import timezone

from bulletin.publishing import plan
from bulletin.web.templatetags.news_feed import day_heading, day_name, feed_entries


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def story(moment):
    return SimpleNamespace(first_published_at=moment)


def test_a_day_is_named_with_its_weekday_and_the_year_unless_it_is_this_year():
    assert day_name(date(2026, 11, 27), today=date(2026, 11, 29)) == "Friday, Nov. 27"
    assert day_name(date(2025, 9, 5), today=date(2026, 1, 2)) == "Friday, Sept. 5, 2025"
    assert day_name(date(2026, 11, 27)) == "Friday, Nov. 27, 2026", "no today (an archive page): always the year"


def test_only_today_is_a_relative_word_and_only_in_files_of_the_head():
    assert day_heading(date(2026, 11, 29), today=date(2026, 11, 29)) == "Today"
    # No "Yesterday": it would turn false at the next midnight in a file nobody renders again.
    assert day_heading(date(2026, 11, 28), today=date(2026, 11, 29)) == "Saturday, Nov. 28"
    assert day_heading(date(2026, 11, 29)) == "Sunday, Nov. 29, 2026"


def test_a_heading_stands_above_the_first_story_of_each_day_in_the_newsrooms_time_zone():
    stories = [
        story(utc(2026, 11, 29, 8, 0)),  # 10:00 in Kyiv
        story(utc(2026, 11, 28, 22, 30)),  # 00:30 on Nov. 29 in Kyiv, although Nov. 28 in UTC
        story(utc(2026, 11, 28, 21, 59)),  # 23:59 on Nov. 28 in Kyiv
        story(utc(2026, 11, 27, 9, 0)),
    ]
    entries = feed_entries(stories, today=date(2026, 11, 29))
    assert [entry.heading for entry in entries] == ["Today", "", "Saturday, Nov. 28", "Friday, Nov. 27"]
    assert [entry.day_name for entry in entries][:2] == ["Sunday, Nov. 29"] * 2
    archived = feed_entries(stories)
    assert [entry.heading for entry in archived] == [
        "Sunday, Nov. 29, 2026",
        "",
        "Saturday, Nov. 28, 2026",
        "Friday, Nov. 27, 2026",
    ]


@override_settings(TIME_ZONE="America/New_York")
def test_days_follow_the_configured_time_zone():
    # 03:00 UTC on Nov. 29 is still Nov. 28 in New York.
    assert feed_entries([story(utc(2026, 11, 29, 3, 0))], date(2026, 11, 29))[0].heading == "Saturday, Nov. 28"


def test_the_head_is_due_again_after_midnight_in_the_newsrooms_time_zone(db):
    head = set(plan.head_urls())
    assert head == {"/", "/feed/widget/"}
    kyiv_2359, kyiv_0001 = utc(2026, 11, 29, 21, 59), utc(2026, 11, 29, 22, 1)  # Kyiv is UTC+2 in November
    assert timezone.localdate(kyiv_2359) != timezone.localdate(kyiv_0001)
    assert head <= set(plan.timed_urls(kyiv_0001, previous=kyiv_2359)), "a file written at 23:59 is rendered at 00:01"
    assert not head & set(plan.timed_urls(kyiv_2359, previous=utc(2026, 11, 29, 8, 0))), "not again within a day"
    assert head <= set(plan.timed_urls(kyiv_2359)), "a process that just started renders the head once"
    # Midnight in UTC is not midnight in Kyiv.
    assert not head & set(plan.timed_urls(utc(2026, 11, 30, 0, 1), previous=utc(2026, 11, 29, 23, 59)))


def test_the_scheduler_rewrites_the_head_file_on_its_first_refresh_after_midnight(public, monkeypatch):
    from bulletin.newsroom import listings
    from bulletin.newsroom.models import StoryPage
    from bulletin.publishing import publisher
    from bulletin.publishing.publisher import refresh_timed_files

    # A process that has not refreshed yet (other tests in this process have).
    monkeypatch.setattr(publisher, "_timed_rendered_at", None)

    newest = listings.latest(1)[0]
    news_feed = public / "index.html"
    # A change that only a new render of the head can show (no publish, so no outbox entry renders it).
    StoryPage.objects.filter(pk=newest.pk).update(title="Seen after midnight")
    evening, later, after_midnight = utc(2026, 11, 29, 19, 0), utc(2026, 11, 29, 21, 59), utc(2026, 11, 29, 22, 1)
    refresh_timed_files(now=evening)  # a process's first refresh renders the head once
    StoryPage.objects.filter(pk=newest.pk).update(title="Only after midnight")
    refresh_timed_files(now=later)
    assert "Seen after midnight" in news_feed.read_text(), "the same day: the head is left alone"
    refresh_timed_files(now=after_midnight)
    assert "Only after midnight" in news_feed.read_text()
