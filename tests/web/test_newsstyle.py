"""News-style times: "Jan. 19, 2025, 4:25 p.m.", in the site's time zone."""

from datetime import UTC, datetime

import pytest
from django.test import override_settings

from bulletin.web.templatetags.newsstyle import iso_datetime, news_datetime, news_update_time


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (utc(2025, 1, 19, 14, 25), "Jan. 19, 2025, 4:25 p.m."),  # Kyiv is UTC+2 in winter
        (utc(2025, 9, 3, 6, 0), "Sept. 3, 2025, 9 a.m."),  # UTC+3 in summer; AP: "9 a.m.", "Sept."
        (utc(2025, 3, 1, 10, 0), "March 1, 2025, noon"),
        (utc(2025, 6, 30, 21, 0), "July 1, 2025, midnight"),
    ],
)
def test_news_datetime_in_kyiv(moment, text):
    assert news_datetime(moment) == text


def test_update_on_the_same_day_shows_the_time_only():
    assert news_update_time(utc(2025, 1, 19, 16, 10), utc(2025, 1, 19, 14, 25)) == "6:10 p.m."
    assert news_update_time(utc(2025, 1, 20, 16, 10), utc(2025, 1, 19, 14, 25)) == "Jan. 20, 2025, 6:10 p.m."
    # Same UTC date, different Kyiv date: the day is the reader's (the newsroom's) day.
    assert news_update_time(utc(2025, 1, 19, 22, 30), utc(2025, 1, 19, 20, 0)) == "Jan. 20, 2025, 12:30 a.m."


def test_no_update_renders_nothing():
    assert news_update_time(None, utc(2025, 1, 19)) == "" and news_datetime(None) == ""


@override_settings(TIME_ZONE="Europe/London")
def test_iso_datetime_carries_the_offset_of_the_configured_zone():
    assert iso_datetime(utc(2025, 7, 1, 12, 0)) == "2025-07-01T13:00:00+01:00"
