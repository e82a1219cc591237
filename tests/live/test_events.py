"""Live events are recorded in the publishing transaction, with what a reader's page needs."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from bulletin.live.models import BACKLOG, LATEST, LiveEvent
from bulletin.newsroom.models import Section
from tests.factories import publish_story

pytestmark = pytest.mark.django_db


def test_publishing_records_an_event_with_the_rendered_items():
    story = publish_story('Strikes on "Kharkiv" & <Odesa>')
    event = LiveEvent.objects.last()
    message = event.as_message()
    assert message["type"] == "published" and message["story"]["id"] == story.pk
    assert message["story"]["url"] == story.url and message["story"]["position"] == story.feed_position
    item = BeautifulSoup(message["html"], "html.parser").li
    assert item["data-story"] == str(story.pk) and item["data-position"] == str(story.feed_position)
    assert item.h3.a.get_text() == 'Strikes on "Kharkiv" & <Odesa>'  # escaped in the HTML, intact once parsed
    assert "<Odesa>" not in message["html"]
    compact = BeautifulSoup(message["html_compact"], "html.parser").li
    assert compact.h4 is not None and compact.select_one(".feed-item__summary") is None
    # It was published just now: its day heading says so, in the same words the News Feed's file uses.
    assert item.select_one(".feed-day").get_text() == "Today" and item.h2 is not None and compact.h3 is not None


def test_an_edit_of_a_live_story_is_an_update_with_its_new_time():
    story = publish_story("First headline")
    story.title, story.updated_at = "Second headline", timezone.now()
    story.save_revision().publish()
    event = LiveEvent.objects.last().as_message()
    assert event["type"] == "updated" and event["story"]["headline"] == "Second headline"
    assert datetime.datetime.fromisoformat(event["story"]["updated_at"]) == story.updated_at
    assert "Updated" in event["html"]


def test_unpublishing_and_republishing():
    story = publish_story("Back and forth")
    story.unpublish()
    assert LiveEvent.objects.last().as_message()["type"] == "unpublished"
    story.refresh_from_db()
    story.save_revision().publish()
    assert LiveEvent.objects.last().type == "published"  # readers' pages had removed it: it is new to them again


def test_a_story_scheduled_for_later_sends_nothing_until_it_goes_live():
    count = LiveEvent.objects.count()
    publish_story("Later", go_live_at=timezone.now() + timezone.timedelta(hours=1))
    assert LiveEvent.objects.count() == count


def test_the_backlog_is_bounded():
    story = publish_story("Edited many times")
    for number in range(BACKLOG + 5):
        story.title = f"Edit {number}"
        story.save_revision().publish()
    assert LiveEvent.objects.count() == BACKLOG
    assert LiveEvent.objects.last().payload["story"]["headline"] == f"Edit {BACKLOG + 4}"


def test_latest_json_lists_the_last_events_oldest_first(client):
    stories = [publish_story(f"Story {n}") for n in range(LATEST + 3)]
    response = client.get("/live/latest.json")
    events = json.loads(response.content)["events"]
    assert len(events) == LATEST
    assert [e["story"]["id"] for e in events] == [s.pk for s in stories[3:]]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)


def test_live_lists_carry_the_newest_event_id(client):
    publish_story("Carries the id")
    newest = LiveEvent.objects.last().id
    for path in ("/", "/feed/widget/"):
        soup = BeautifulSoup(client.get(path).content, "html.parser")
        assert soup.select_one("[data-feed-list]")["data-live"] == str(newest)
    section = Section.objects.first()
    archive = BeautifulSoup(client.get(section.get_absolute_url()).content, "html.parser")
    assert not archive.select("[data-live]")  # lists of a section do not change live


def test_a_quick_post_is_a_new_story_for_readers(client_for):
    from django.urls import reverse

    from bulletin.newsroom.models import Author

    client = client_for("Editors")
    response = client.post(
        reverse("newsdesk_quick_post"),
        {
            "headline": "Quick and new",
            "summary": "What is new, in a line.",
            "text": "First paragraph.",
            "section": Section.objects.first().pk,
            "author": Author.objects.first().pk,
        },
    )
    assert response.status_code == 302
    event = LiveEvent.objects.last()
    assert event.type == "published" and event.payload["story"]["headline"] == "Quick and new"


def _mentions(text, story, headline):
    return headline in text or story.url in text


@pytest.mark.parametrize("remove", ["unpublish", "delete"])
def test_a_removed_story_leaves_latest_json_and_the_backlog(public, remove, django_capture_on_commit_callbacks):
    headline = f"A story that will be {remove}d"
    with django_capture_on_commit_callbacks(execute=True):
        story = publish_story(headline)
    with django_capture_on_commit_callbacks(execute=True):
        story.summary = "Edited once."
        story.save_revision().publish()
    earlier = sorted(LiveEvent.objects.filter(payload__story__id=story.pk).values_list("id", flat=True))
    assert len(earlier) == 2 and _mentions((public / "live/latest.json").read_text(), story, headline)

    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish() if remove == "unpublish" else story.delete()
    latest = (public / "live/latest.json").read_text()
    assert not _mentions(latest, story, headline)  # a reader who polls or resumes never gets it back
    removal = json.loads(latest)["events"][-1]
    assert removal["type"] == "unpublished" and removal["story"] == {"id": story.pk}
    assert removal["removes"] == earlier
    assert not LiveEvent.objects.filter(id__in=earlier).exists()
    assert not any(_mentions(json.dumps(e.as_message()), story, headline) for e in LiveEvent.objects.all())


def test_republishing_after_a_removal_is_a_new_story_again():
    story = publish_story("Gone and back")
    story.unpublish()
    story.refresh_from_db()
    story.save_revision().publish()
    removal, back = (event.as_message() for event in LiveEvent.objects.order_by("-id")[:2][::-1])
    assert removal["type"] == "unpublished" and removal["story"] == {"id": story.pk}
    assert back["type"] == "published" and back["story"]["headline"] == "Gone and back"
