"""The publication settings: sane defaults, clear errors for values feeds and sitemaps cannot carry, editable
in the admin, and every page, feed and sitemap rendered again when they change."""

import pytest
from django.core.exceptions import ValidationError

from bulletin.newsroom.models import PublicationSettings, default_publication_language
from bulletin.publishing.models import OutboxEntry


def test_defaults_come_from_the_site_settings(db, settings):
    publication = PublicationSettings.load()
    assert publication.name == settings.WAGTAIL_SITE_NAME == "Bulletin"
    assert publication.language == "en" and publication.x_account == ""
    settings.LANGUAGE_CODE = "uk"
    assert default_publication_language() == "uk"
    settings.LANGUAGE_CODE = "zh-TW"
    assert default_publication_language() == "zh-tw"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Bulletin (Kyiv)", "parentheses"),
        ("language", "english", "ISO 639"),
        ("language", "en-us", "ISO 639"),
        ("language", "EN", "ISO 639"),
        ("x_account", "bulletin", "@"),
        ("x_account", "@far_too_long_account", "@"),
    ],
)
def test_values_consumers_reject_get_a_clear_error(db, field, value, message):
    publication = PublicationSettings.load()
    setattr(publication, field, value)
    with pytest.raises(ValidationError) as error:
        publication.full_clean()
    assert message in str(error.value.message_dict[field])


def test_editors_change_them_in_the_admin_and_everything_is_rendered_again(admin_client, db):
    url = admin_client.get("/admin/settings/newsroom/publicationsettings/")["Location"]
    response = admin_client.get(url)
    assert response.status_code == 200 and b"Publication name" in response.content
    response = admin_client.post(url, {"name": "Kyiv Evening News", "language": "uk", "x_account": "@kyivevening"})
    assert response.status_code == 302
    publication = PublicationSettings.load()
    assert (publication.name, publication.language, publication.x_account) == (
        "Kyiv Evening News",
        "uk",
        "@kyivevening",
    )
    entry = OutboxEntry.objects.filter(reason="publication settings").latest("id")
    assert entry.background and {"/", "/feeds/rss.xml", "/sitemaps/news.xml", "/robots.txt"} <= set(entry.urls)
    page = admin_client.get("/").content.decode()
    assert '<html lang="uk">' in page and "Kyiv Evening News" in page
