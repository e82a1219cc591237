"""A publish or unpublish through the admin commits the page and its outbox row together, or neither.

Wagtail commits the page before it sends the signal that writes the outbox row; the failing outbox write below
stands in for a crash between the two.
"""

import pytest
from django.urls import reverse

from bulletin.newsroom.models import NewsFeedPage, StoryPage
from bulletin.publishing.models import OutboxEntry
from tests.factories import publish_story, story_form_data

pytestmark = pytest.mark.django_db


class OutboxDown(Exception):
    pass


@pytest.fixture
def outbox_fails(monkeypatch):
    def fail(reason, plan):
        raise OutboxDown(reason)

    monkeypatch.setattr("bulletin.publishing.handlers.record", fail)


def test_a_publish_whose_outbox_write_fails_leaves_the_story_unpublished(client_for, outbox_fails):
    client = client_for("Editors")
    feed_page = NewsFeedPage.objects.get()
    url = reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", feed_page.pk))
    entries = OutboxEntry.objects.count()

    with pytest.raises(OutboxDown):
        client.post(url, story_form_data(title="Half published", slug="half-published", **{"action-publish": "1"}))

    assert not StoryPage.objects.filter(slug="half-published").exists()
    assert OutboxEntry.objects.count() == entries


@pytest.fixture
def live_story():
    return publish_story("Still live")


def test_an_unpublish_whose_outbox_write_fails_leaves_the_story_live(live_story, client_for, outbox_fails):
    client = client_for("Editors")

    with pytest.raises(OutboxDown):
        client.post(reverse("wagtailadmin_pages:unpublish", args=(live_story.pk,)))

    live_story.refresh_from_db()
    assert live_story.live
