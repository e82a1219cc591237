"""Quick post through the real admin view: the story it publishes, the image it uploads, and what it refuses."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.text import slugify
from PIL import Image as PILImage
from wagtail.images import get_image_model

from bulletin.newsroom import listings, roles
from bulletin.newsroom.models import RESERVED_SLUGS, Author, Section, StoryPage, Tag

pytestmark = pytest.mark.django_db

URL = "newsdesk_quick_post"
TEXT = "Air defence worked overnight over Kyiv.\n\nNo casualties were reported.\r\n\r\nMore details to follow."


def png(name="photo.png", size=(64, 48), color=(200, 30, 30), fmt="PNG"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, fmt)
    content_type = {"PNG": "image/png", "BMP": "image/bmp", "TIFF": "image/tiff"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def post_data(headline, **extra):
    data = {
        "headline": headline,
        "summary": "Kyiv's air defence was at work overnight; no one was hurt.",
        "text": TEXT,
        "section": Section.objects.order_by("pk").first().pk,
        "author": Author.objects.order_by("pk").first().pk,
        "image_alt": "",
        "image_credit": "",
    }
    data.update(extra)
    return data


def quick_post(client, headline, **extra):
    return client.post(reverse(URL), post_data(headline, **extra))


def form_errors(response):
    return response.context["form"].errors if response.context and "form" in response.context else {}


def public_soup(client, story):
    response = client.get(story.url)
    assert response.status_code == 200, story.url
    return BeautifulSoup(response.content, "html5lib")


@pytest.mark.parametrize("role", [roles.EDITORS, roles.AUTHORS])
def test_quick_post_publishes_a_story(client_for, role):
    client = client_for(role)
    assert client.get(reverse(URL)).status_code == 200
    response = quick_post(client, f"Breaking news from the {role} desk")
    assert response.status_code == 302, form_errors(response)
    assert response["Location"] == reverse(URL)

    story = StoryPage.objects.get(title=f"Breaking news from the {role} desk")
    assert story.live
    assert story.owner == client.user
    assert story.feed_position is not None
    assert listings.latest()[0].pk == story.pk
    assert story.authors == [Author.objects.order_by("pk").first()]
    assert story.section == Section.objects.order_by("pk").first()
    paragraphs = [block.value.source for block in story.body if block.block_type == "paragraph"]
    assert paragraphs == [
        "<p>Air defence worked overnight over Kyiv.</p>",
        "<p>No casualties were reported.</p>",
        "<p>More details to follow.</p>",
    ]
    # The summary is its own field, so the story page does not show the first paragraph twice.
    assert story.summary == "Kyiv's air defence was at work overnight; no one was hurt."
    assert story.feature_image is None
    assert not story.has_unpublished_changes
    assert story.get_latest_revision() is not None

    soup = public_soup(Client(), story)
    assert soup.find("h1").get_text(strip=True) == story.title
    assert "No casualties were reported." in soup.find(class_="story__body").get_text()


def test_quick_post_with_image(client_for):
    client = client_for(roles.EDITORS)
    images_before = get_image_model().objects.count()
    response = quick_post(
        client,
        "Photo story",
        image=png(),
        image_alt="A red square",
        image_caption="The square at dawn.",
        image_credit="Jane Doe / Bulletin",
    )
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title="Photo story")
    assert story.feature_image is not None
    assert (story.feature_image.width, story.feature_image.height) == (64, 48)
    assert story.feature_image_alt == "A red square"
    assert story.feature_image_caption == "The square at dawn."
    assert story.feature_image_credit == "Jane Doe / Bulletin"
    assert get_image_model().objects.count() == images_before + 1
    # Filed by what it shows, apart from the library's pictures, not under the headline.
    assert story.feature_image.title == "A red square (Jane Doe / Bulletin)"
    assert story.feature_image.collection.name == "Quick post photos"

    soup = public_soup(Client(), story)
    img = soup.select_one(".story__feature img")
    assert img is not None and img["alt"] == "A red square"
    assert "The square at dawn." in soup.select_one(".story__feature").get_text()


def test_quick_post_tags_existing_and_new(client_for):
    client = client_for(roles.EDITORS)
    existing = Tag.objects.create(name="Kyiv", slug="kyiv")
    response = quick_post(client, "Tagged quickly", tags='kyiv, "Air defence"')
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title="Tagged quickly")
    new = Tag.objects.get(name="Air defence")
    assert new.slug == "air-defence"
    assert set(story.tags.all()) == {existing, new}
    assert Client().get(new.get_absolute_url()).status_code == 200


def test_quick_post_byline_defaults_to_the_editors_author_profile(client_for):
    client = client_for(roles.EDITORS)
    author = Author.objects.order_by("pk").last()
    author.user = client.user
    author.save()
    form = client.get(reverse(URL)).context["form"]
    assert form["author"].value() == author.pk


def test_quick_post_image_without_alt_is_refused(client_for):
    client = client_for(roles.EDITORS)
    images_before = get_image_model().objects.count()
    response = quick_post(client, "Photo without alt", image=png(), image_alt="   ")
    assert response.status_code == 200
    assert "image_alt" in form_errors(response)
    assert not StoryPage.objects.filter(title="Photo without alt").exists()
    assert get_image_model().objects.count() == images_before


def test_quick_post_oversized_image_is_refused(client_for, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 100
    client = client_for(roles.EDITORS)
    images_before = get_image_model().objects.count()
    response = quick_post(client, "Huge photo", image=png(size=(300, 300)), image_alt="Big")
    assert response.status_code == 200
    errors = form_errors(response)
    assert "image" in errors
    assert filesizeformat(100) in " ".join(errors["image"])
    assert filesizeformat(100) in response.content.decode()
    assert not StoryPage.objects.filter(title="Huge photo").exists()
    assert get_image_model().objects.count() == images_before


def test_quick_post_not_an_image_is_refused(client_for):
    client = client_for(roles.EDITORS)
    images_before = get_image_model().objects.count()
    fake = SimpleUploadedFile("photo.png", b"this is not a picture", content_type="image/png")
    response = quick_post(client, "Fake photo", image=fake, image_alt="Nothing")
    assert response.status_code == 200
    assert "image" in form_errors(response)
    assert not StoryPage.objects.filter(title="Fake photo").exists()
    assert get_image_model().objects.count() == images_before


def test_quick_post_refuses_image_formats_wagtail_does_not_accept(client_for, settings):
    """WAGTAILIMAGES_EXTENSIONS lists what the newsroom accepts; quick post must not let a TIFF in behind it."""
    assert "tiff" not in settings.WAGTAILIMAGES_EXTENSIONS
    client = client_for(roles.EDITORS)
    images_before = get_image_model().objects.count()
    response = quick_post(client, "TIFF photo", image=png("photo.tiff", fmt="TIFF"), image_alt="A red square")
    assert response.status_code == 200
    assert "image" in form_errors(response)
    assert not StoryPage.objects.filter(title="TIFF photo").exists()
    assert get_image_model().objects.count() == images_before


def test_quick_post_refuses_images_with_too_many_pixels(client_for, settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 1000
    client = client_for(roles.EDITORS)
    images_before = get_image_model().objects.count()
    response = quick_post(client, "Giant photo", image=png(size=(100, 100)), image_alt="A red square")
    assert response.status_code == 200
    assert "image" in form_errors(response)
    assert not StoryPage.objects.filter(title="Giant photo").exists()
    assert get_image_model().objects.count() == images_before


def test_quick_post_escapes_hostile_headline(client_for):
    headline = '<script>alert(1)</script> & "quotes"'
    client = client_for(roles.EDITORS)
    response = quick_post(client, headline, text='<script>alert(2)</script>\n\n<img src=x onerror="alert(3)">')
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=headline)
    response = Client().get(story.url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html5lib")
    assert soup.find("h1").get_text() == headline
    main = soup.find("main")
    assert main.find("script") is None
    assert main.find("img", attrs={"onerror": True}) is None
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "alert(2)" in main.get_text()  # shown as text, not run


def test_quick_post_ukrainian_headline_gets_unicode_slug(client_for):
    headline = "Київ: Єдність, Ї, Ґ — м’ясо п'ять"
    client = client_for(roles.EDITORS)
    response = quick_post(client, headline)
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=headline)
    assert story.slug == slugify(headline, allow_unicode=True)
    assert story.slug.startswith("київ-єдність-ї-ґ")
    assert all(ch.isalnum() or ch in "-_" for ch in story.slug)
    for url in (story.url, iri_to_uri(story.url)):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert BeautifulSoup(response.content, "html5lib").find("h1").get_text() == headline


def test_quick_post_needs_csrf_token(client_for):
    editor = client_for(roles.EDITORS).user
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(reverse(URL), post_data("No token"))
    assert response.status_code == 403
    assert not StoryPage.objects.filter(title="No token").exists()


def test_same_headline_twice_gets_distinct_slugs(client_for):
    client = client_for(roles.EDITORS)
    assert quick_post(client, "Same headline").status_code == 302
    assert quick_post(client, "Same headline").status_code == 302
    stories = list(StoryPage.objects.filter(title="Same headline").order_by("feed_position"))
    assert len(stories) == 2
    assert stories[0].slug != stories[1].slug
    assert [s.slug for s in stories] == ["same-headline", "same-headline-2"]
    for story in stories:
        assert Client().get(story.url).status_code == 200


@pytest.mark.parametrize("headline", ["Authors", "Feed", "Admin"])
def test_quick_post_avoids_reserved_slugs(client_for, headline):
    assert slugify(headline) in RESERVED_SLUGS
    client = client_for(roles.EDITORS)
    response = quick_post(client, headline)
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title=headline)
    assert story.slug not in RESERVED_SLUGS
    assert Client().get(story.url).status_code == 200


def test_quick_post_headline_without_letters_gets_a_slug(client_for):
    client = client_for(roles.EDITORS)
    response = quick_post(client, "!!! ???")
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(title="!!! ???")
    assert story.slug
    assert Client().get(story.url).status_code == 200


def test_quick_post_requires_fields(client_for):
    client = client_for(roles.EDITORS)
    response = client.post(reverse(URL), {"headline": "", "text": ""})
    assert response.status_code == 200
    assert set(form_errors(response)) >= {"headline", "summary", "text", "section", "author"}


def test_quick_post_menu_item(client_for):
    editor = client_for(roles.EDITORS, username="menu-editor")
    contributor = client_for(roles.CONTRIBUTORS, username="menu-contributor")
    assert reverse(URL) in editor.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(URL) not in contributor.get(reverse("wagtailadmin_home")).content.decode()


def test_quick_post_story_can_be_edited_in_the_admin_and_keeps_its_place(client_for):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    from bulletin.newsroom.blocks import PARAGRAPH_FEATURES

    client = client_for(roles.EDITORS)
    assert quick_post(client, "Posted quickly").status_code == 302
    story = StoryPage.objects.get(title="Posted quickly")
    position = story.feed_position
    assert quick_post(client, "Posted after it").status_code == 302

    assert client.get(reverse("wagtailadmin_pages:edit", args=(story.pk,))).status_code == 200
    byline = story.bylines.get()
    data = nested_form_data(
        {
            "title": story.title,
            "slug": story.slug,
            "summary": "Edited summary.",
            "body": streamfield([("paragraph", rich_text("<p>Edited.</p>", features=PARAGRAPH_FEATURES))]),
            "bylines": inline_formset([{"author": str(byline.author_id), "id": str(byline.pk)}], initial=1, min=1),
            "section": str(story.section_id),
            "sources": inline_formset([]),
            "corrections": inline_formset([]),
            "comments": inline_formset([]),
            "feature_image": "",
            "feature_image_alt": "",
            "feature_image_caption": "",
            "feature_image_credit": "",
            "action-publish": "action-publish",
        }
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=(story.pk,)), data)
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.summary == "Edited summary."
    assert story.feed_position == position
    assert listings.latest()[0].title == "Posted after it"
