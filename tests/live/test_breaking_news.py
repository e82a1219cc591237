"""The breaking-news banner: set by an editor in the admin, written to one file and one live event, taken down at
its end time; never part of a page, so setting it rewrites no page of the archive."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from bulletin.live.models import LiveEvent
from bulletin.newsdesk.scheduler import take_down_ended_banner
from bulletin.newsroom.models import BreakingNews
from bulletin.publishing import build
from tests.publishing.test_publisher import changed_pages, snapshot


def settings_url():
    """The admin's form for the banner (Wagtail redirects /admin/settings/newsroom/breakingnews/ there)."""
    return f"/admin/settings/newsroom/breakingnews/{BreakingNews.load().pk}/"


def banner_file(public):
    return json.loads((public / "live/banner.json").read_bytes())


def set_banner(**fields):
    banner = BreakingNews.load()
    for name, value in fields.items():
        setattr(banner, name, value)
    banner.save()
    return banner


def test_setting_the_banner_rewrites_its_file_and_the_live_events_and_nothing_else(
    public, django_capture_on_commit_callbacks
):
    assert banner_file(public)["banner"] is None  # `bulletin build` writes it, empty
    before = snapshot(public)
    with django_capture_on_commit_callbacks(execute=True):
        set_banner(text="Air-raid alert in Kyiv", link="https://example.org/alerts")
    # One include, not 100,000 pages: the banner is in no page (bench/breaking_news.py measures the cost). The
    # News Feed head and the widget change only in the id of the newest live event, which their pages resume from.
    assert changed_pages(before, snapshot(public)) == {
        "live/banner.json",
        "live/latest.json",
        "index.html",
        "feed/widget/index.html",
    }
    state = banner_file(public)
    assert state["banner"] == {"text": "Air-raid alert in Kyiv", "link": "https://example.org/alerts", "ends_at": None}
    event = LiveEvent.objects.order_by("-id").first()
    assert event.type == LiveEvent.BANNER and event.payload["banner"]["text"] == "Air-raid alert in Kyiv"
    assert state["id"] == event.id  # the file reflects every banner event up to this one
    latest = json.loads((public / "live/latest.json").read_bytes())["events"]
    assert latest[-1]["type"] == "banner" and latest[-1]["banner"]["link"] == "https://example.org/alerts"

    with django_capture_on_commit_callbacks(execute=True):
        set_banner(text="", link="")
    assert banner_file(public)["banner"] is None
    assert LiveEvent.objects.order_by("-id").first().payload == {"banner": None}
    assert build.check().ok


def test_no_page_carries_the_banner(client, db):
    set_banner(text="Air-raid alert in Kyiv")
    html = client.get("/").content.decode()
    assert "Air-raid alert" not in html
    assert 'data-breaking-news="/live/banner.json"' in html and 'aria-live="polite"' in html


def test_the_file_shows_no_banner_past_its_end_time(client, db):
    set_banner(text="Storm warning", ends_at=timezone.now() + timedelta(hours=1))
    assert client.get("/live/banner.json").json()["banner"]["ends_at"]
    BreakingNews.objects.update(ends_at=timezone.now() - timedelta(seconds=1))  # the scheduler has not run yet
    assert client.get("/live/banner.json").json()["banner"] is None


def test_the_scheduler_takes_the_banner_down_at_its_end_time(public, django_capture_on_commit_callbacks):
    ends_at = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        set_banner(text="Curfew until 5 a.m.", ends_at=ends_at)
    assert take_down_ended_banner(now=ends_at - timedelta(seconds=1)) == ""
    assert banner_file(public)["banner"]["text"] == "Curfew until 5 a.m."
    with django_capture_on_commit_callbacks(execute=True):
        report = take_down_ended_banner(now=ends_at)
    assert "Curfew until 5 a.m." in report
    assert BreakingNews.load().text == ""
    assert banner_file(public)["banner"] is None
    assert LiveEvent.objects.order_by("-id").first().payload == {"banner": None}
    assert take_down_ended_banner(now=ends_at + timedelta(hours=1)) == ""  # nothing more to do


def test_an_editor_sets_the_banner_in_the_admin(client_for, db):
    editor = client_for("Editors")
    ends = timezone.localtime() + timedelta(hours=2)
    response = editor.post(
        settings_url(),
        {"text": "Air-raid alert", "link": "https://example.org/a", "ends_at": ends.strftime("%Y-%m-%d %H:%M")},
    )
    assert response.status_code == 302, response.content[:2000]
    banner = BreakingNews.load()
    assert (banner.text, banner.link) == ("Air-raid alert", "https://example.org/a")
    assert abs(banner.ends_at - ends) < timedelta(minutes=1)


@pytest.mark.parametrize("role", ["Contributors", "Authors"])
def test_only_editors_and_admins_may_set_the_banner(client_for, db, role):
    response = client_for(role).post(settings_url(), {"text": "Not allowed"})
    assert response.status_code in (302, 403)
    assert BreakingNews.load().text == ""


@pytest.mark.parametrize(
    ("fields", "field_with_error"),
    [
        ({"text": "Alert", "link": "javascript:alert(1)"}, "link"),
        ({"text": "Alert", "link": "ftp://example.org/file"}, "link"),
        ({"text": "", "link": "https://example.org/"}, "text"),
        ({"text": "x" * 161}, "text"),
        ({"text": "Alert", "ends_at": "2020-01-01 10:00"}, "ends_at"),
        ({"text": "Alert", "ends_at": "not a time"}, "ends_at"),
    ],
    ids=["javascript-link", "ftp-link", "link-without-text", "too-long", "end-in-the-past", "bad-time"],
)
def test_a_bad_banner_is_refused_with_a_clear_error_and_nothing_changes(client_for, db, fields, field_with_error):
    set_banner(text="The banner before")
    events = LiveEvent.objects.count()
    response = client_for("Editors").post(settings_url(), {"text": "", "link": "", "ends_at": "", **fields})
    assert response.status_code == 200  # the form again, with its errors
    assert response.context["form"].errors[field_with_error]
    assert BreakingNews.load().text == "The banner before"
    assert LiveEvent.objects.count() == events


def test_reading_the_banner_for_the_first_time_sends_nothing(db):
    """Wagtail creates the empty setting when it is first read (a build renders banner.json): no event, no files."""
    from bulletin.publishing.models import OutboxEntry

    BreakingNews.objects.all().delete()
    events, entries = LiveEvent.objects.count(), OutboxEntry.objects.count()
    assert BreakingNews.load().text == ""
    assert (LiveEvent.objects.count(), OutboxEntry.objects.count()) == (events, entries)


def test_story_events_leave_the_banner_file_alone(public, django_capture_on_commit_callbacks):
    """The file names the newest banner event, which stays while story events push older events out."""
    from bulletin.live.models import BACKLOG
    from tests.factories import publish_story

    with django_capture_on_commit_callbacks(execute=True):
        set_banner(text="Air-raid alert")
    banner_id = LiveEvent.objects.order_by("-id").first().id
    before = (public / "live/banner.json").read_bytes()
    LiveEvent.objects.bulk_create([LiveEvent(type=LiveEvent.UPDATED, payload={}) for _ in range(BACKLOG)])
    with django_capture_on_commit_callbacks(execute=True):
        publish_story("A story after the banner")
    assert LiveEvent.objects.filter(id=banner_id).exists()
    assert (public / "live/banner.json").read_bytes() == before
    assert build.check().ok
