"""Sections, tags and authors are described once (newsroom/collection_kinds.py): a kind added there gets its URLs,
pages, feeds, sitemap, caching rules, nginx locations and the publisher's plan without another line of code."""

import importlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import clear_url_caches, reverse

import bulletin.syndication.urls
import bulletin.urls
from bulletin.newsroom import collection_kinds
from bulletin.newsroom.collection_kinds import CollectionKind
from bulletin.newsroom.models import ListingEntry, Section
from bulletin.publishing import plan
from bulletin.web import caching
from bulletin.web.nginx import render_config
from tests.factories import publish_story

#: A fourth kind for the tests: desks, here the sections under another name (a real one would have its model).
DESKS = CollectionKind(segment="desks", name="desk", model_label="newsroom.Section", story_lookup="section")


def _reload_urlconf():
    # The URLconf is generated from the kinds when it is imported.
    importlib.reload(bulletin.syndication.urls)
    importlib.reload(bulletin.urls)
    clear_url_caches()


@pytest.fixture
def desks(monkeypatch):
    """The kinds with DESKS added, and the URLconf generated again from them."""
    monkeypatch.setattr(collection_kinds, "KINDS", (*collection_kinds.KINDS, DESKS))
    _reload_urlconf()
    yield DESKS
    monkeypatch.undo()
    _reload_urlconf()


def test_a_new_kind_gets_its_routes_pages_and_feeds(client, db, desks):
    section = Section.objects.first()
    story = publish_story("Filed by the desk", section=section)
    assert ListingEntry.objects.filter(kind="desk", collection_id=section.pk, story=story).exists()
    assert reverse("desk", args=[section.slug]) == desks.url(section) == f"/desks/{section.slug}/"
    assert desks.url(section, 1) == f"/desks/{section.slug}/page/1/"
    # No web/desk_page.html: the page every topic shares.
    page = BeautifulSoup(client.get(desks.url(section)).content, "html5lib")
    assert page.select_one(".story-list a")["href"] == story.url
    assert client.get(desks.url(section, 1)).status_code == 200
    for feed_format in ("rss", "atom", "json"):
        response = client.get(desks.feed_url(section, feed_format))
        assert response.status_code == 200 and story.title in response.content.decode()
    assert client.get(reverse("sitemap", args=["desks"])).status_code == 200


def test_a_new_kind_gets_caching_rules_and_nginx_locations(desks, tmp_path):
    assert caching.cache_control_for("/desks/war/") == caching.HEAD_PAGES
    assert caching.cache_control_for("/desks/war/rss.xml") == caching.HEAD_PAGES
    assert caching.cache_control_for("/desks/war/page/2/") == caching.STABLE_PAGES
    config = render_config(tmp_path / "public", tmp_path / "media")
    assert "location ~ ^/(|feed/widget/|(sections|tags|authors|desks)/([^/]+/)?)$ {" in config
    assert "location ~ ^/(feeds|(sections|tags|authors|desks)/[^/]+)/rss\\.xml$ {" in config


def test_a_new_kind_is_in_the_publishers_plan(db, desks):
    section = Section.objects.first()
    story = publish_story("Planned by the desk", section=section)
    entries = plan.all_urls()
    assert plan.SiteURL(desks.url(section), plan.COLLECTION) in entries
    assert plan.SiteURL(desks.feed_url(section, "rss"), plan.FEED) in entries
    assert plan.SiteURL(reverse("sitemap", args=["desks"]), plan.SITEMAP) in entries
    assert desks.url(section) in plan.for_story(story).now
    assert desks.feed_url(section, "atom") in plan.for_story(story).next


def test_the_three_kinds_generate_the_rules_written_out_before():
    """The generated regular expressions are those the code spelled out before the registry (and, since the index
    pages, each kind's /<segment>/ among the head pages)."""
    assert caching.head_page_pattern() == r"^/(?:|feed/widget/|(?:sections|tags|authors)/(?:[^/]+/)?)$"
    assert caching.syndication_file_pattern() == (
        r"^/(?:(?:feeds|(?:sections|tags|authors)/[^/]+)/(?:rss\.xml|atom\.xml|feed\.json)"
        r"|sitemap\.xml|sitemaps/[^/]+\.xml)$"
    )
    config = render_config(Path("/srv/public"), Path("/srv/media"))
    assert "location ~ ^/(|feed/widget/|(sections|tags|authors)/([^/]+/)?)$ {" in config


def test_every_story_page_url_is_built_by_reverse():
    source = Path(plan.__file__).read_text()
    assert 'f"/' not in source and "page/{" not in source
