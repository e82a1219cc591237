"""The story form in the real Wagtail admin: the "Substantive update" checkbox, what the form refuses,
feed positions across edits, and Wagtail's page-type contract."""

import datetime
import io
import re

import pytest
from bs4 import BeautifulSoup
from django.core.files.images import ImageFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from bulletin.newsroom import listings, roles
from bulletin.newsroom.models import NewsFeedPage, StoryPage
from tests.factories import story_form_data

PUBLISH = {"action-publish": "action-publish"}


def form_errors(response):
    context = getattr(response, "context", None)
    if not context or "form" not in context:
        return f"status {response.status_code}"
    form = context["form"]
    return {"form": form.errors, "formsets": {n: [f.errors for f in fs] for n, fs in form.formsets.items()}}


def edit_url(story):
    return reverse("wagtailadmin_pages:edit", args=(story.pk,))


def add_url(feed_page):
    return reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", feed_page.pk))


def publish_new_story(client, feed_page, slug):
    response = client.post(add_url(feed_page), story_form_data(title=f"Story {slug}", slug=slug, **PUBLISH))
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(slug=slug)
    assert story.live
    return story


def a_test_image():
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "PNG")
    image = get_image_model()(title="Form test picture")
    image.file = ImageFile(buffer, name="form-test.png")
    image.save()
    return image


# --- "Substantive update" ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_substantive_update_sets_updated_at_and_shows_it(client_for, feed_page):
    client = client_for(roles.EDITORS)
    story = publish_new_story(client, feed_page, "substantive-update")
    assert story.updated_at is None
    assert "Updated" not in (
        BeautifulSoup(Client().get(story.url).content, "html5lib").select_one(".story__meta").get_text()
    )

    before = timezone.now()
    response = client.post(edit_url(story), story_form_data(story, mark_updated="on", **PUBLISH))
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.updated_at is not None
    assert before - datetime.timedelta(seconds=1) <= story.updated_at <= timezone.now()

    meta = BeautifulSoup(Client().get(story.url).content, "html5lib").select_one(".story__meta")
    updated = meta.select_one(".story__updated")
    assert updated is not None and "Updated" in updated.get_text()


@pytest.mark.django_db
def test_publishing_without_the_checkbox_keeps_updated_at(client_for, feed_page):
    client = client_for(roles.EDITORS)
    story = publish_new_story(client, feed_page, "typo-fix")
    response = client.post(edit_url(story), story_form_data(story, mark_updated="on", **PUBLISH))
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    first_update = story.updated_at
    assert first_update is not None

    response = client.post(edit_url(story), story_form_data(story, summary="Typo fixed.", **PUBLISH))
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.summary == "Typo fixed."
    assert story.updated_at == first_update


@pytest.mark.django_db
def test_substantive_update_on_a_demo_story(client_for):
    story = StoryPage.objects.live().filter(updated_at__isnull=True).order_by("pk").first()
    assert story.get_latest_revision() == story.live_revision  # the demo builder writes a first revision
    client = client_for(roles.EDITORS)
    response = client.post(edit_url(story), story_form_data(story, mark_updated="on", **PUBLISH))
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.updated_at is not None


@pytest.mark.django_db
def test_checkbox_on_first_publish_does_not_set_updated_at(client_for, feed_page):
    client = client_for(roles.EDITORS)
    response = client.post(
        add_url(feed_page), story_form_data(title="Fresh", slug="fresh-story", mark_updated="on", **PUBLISH)
    )
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(slug="fresh-story")
    assert story.live
    assert story.updated_at is None


# --- feed positions across edits -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_editing_a_published_story_keeps_its_feed_position(client_for, feed_page):
    """The handler's promise: a story does not jump to the top of the feed because it was edited."""
    client = client_for(roles.EDITORS)
    story = publish_new_story(client, feed_page, "edited-later")
    position = story.feed_position
    newer = publish_new_story(client, feed_page, "published-after")
    assert newer.feed_position > position

    response = client.post(edit_url(story), story_form_data(story, mark_updated="on", **PUBLISH))
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.feed_position == position
    assert [s.pk for s in listings.latest(2)] == [newer.pk, story.pk]


@pytest.mark.django_db
def test_editing_a_demo_story_keeps_its_feed_position(client_for):
    story = StoryPage.objects.in_feed().last()
    position = story.feed_position
    client = client_for(roles.EDITORS)
    response = client.post(edit_url(story), story_form_data(story, **PUBLISH))
    assert response.status_code == 302, form_errors(response)
    response = client.post(edit_url(story), story_form_data(story, summary="Second edit.", **PUBLISH))
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.feed_position == position


# --- what the form refuses -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["authors", "feed", "admin"])
def test_reserved_slug_is_rejected(client_for, feed_page, slug):
    client = client_for(roles.EDITORS)
    response = client.post(add_url(feed_page), story_form_data(title="Reserved", slug=slug, **PUBLISH))
    assert response.status_code == 200
    assert not StoryPage.objects.filter(slug=slug).exists()
    errors = response.context["form"].errors
    assert "slug" in errors
    assert "Bulletin" in " ".join(errors["slug"])
    assert "used by Bulletin" in response.content.decode().replace("’", "'")


@pytest.mark.django_db
def test_reserved_slug_is_rejected_on_edit(client_for, feed_page):
    client = client_for(roles.EDITORS)
    story = publish_new_story(client, feed_page, "later-renamed")
    response = client.post(edit_url(story), story_form_data(story, slug="authors", **PUBLISH))
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    story.refresh_from_db()
    assert story.slug == "later-renamed"


@pytest.mark.django_db
def test_feature_image_without_alt_is_rejected(client_for, feed_page):
    client = client_for(roles.EDITORS)
    image = a_test_image()
    response = client.post(
        add_url(feed_page), story_form_data(title="No alt", slug="no-alt-story", feature_image=str(image.pk), **PUBLISH)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "feature_image_alt" in errors
    assert "Describe the feature image" in response.content.decode()
    assert not StoryPage.objects.filter(slug="no-alt-story").exists()


@pytest.mark.django_db
def test_feature_image_with_alt_is_accepted(client_for, feed_page):
    client = client_for(roles.EDITORS)
    image = a_test_image()
    response = client.post(
        add_url(feed_page),
        story_form_data(
            title="With alt",
            slug="with-alt-story",
            feature_image=str(image.pk),
            feature_image_alt="A blue box",
            **PUBLISH,
        ),
    )
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(slug="with-alt-story")
    assert story.feature_image_id == image.pk
    img = BeautifulSoup(Client().get(story.url).content, "html5lib").select_one(".story__feature img")
    assert img["alt"] == "A blue box"


@pytest.mark.django_db
def test_byline_is_required(client_for, feed_page):
    client = client_for(roles.EDITORS)
    data = story_form_data(title="No byline", slug="no-byline", **PUBLISH)
    data.update(nested_form_data({"bylines": inline_formset([], min=1)}))
    response = client.post(add_url(feed_page), data)
    assert response.status_code == 200
    assert not StoryPage.objects.filter(slug="no-byline").exists()


# --- Wagtail's page-type contract ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestStoryPageContract(WagtailPageTestCase):
    def setUp(self):
        super().setUp()
        self.story = StoryPage.objects.live().order_by("pk").first()

    def test_where_stories_may_be_created(self):
        self.assertCanCreateAt(NewsFeedPage, StoryPage)
        self.assertCanNotCreateAt(StoryPage, StoryPage)
        self.assertCanNotCreateAt(StoryPage, NewsFeedPage)
        self.assertAllowedSubpageTypes(StoryPage, {})
        self.assertAllowedParentPageTypes(StoryPage, {NewsFeedPage})

    def test_can_create_through_the_admin(self):
        feed_page = NewsFeedPage.objects.get()
        # Not self.login(): django-axes wants every authenticate() to carry its request, as a real sign-in does.
        self.client.force_login(self.create_test_user())
        self.assertCanCreate(feed_page, StoryPage, story_form_data(title="Contract story", slug="contract-story"))
        self.assertTrue(StoryPage.objects.filter(slug="contract-story").exists())

    def test_demo_story_is_renderable(self):
        self.assertPageIsRenderable(self.story)

    def test_unknown_subpath_is_404(self):
        self.assertPageIsRenderable(self.story, route_path="/no-such-thing/", accept_404=True)

    def test_demo_story_is_previewable(self):
        self.assertPageIsPreviewable(self.story, post_data=story_form_data(self.story))

    def test_demo_story_is_editable(self):
        self.assertPageIsEditable(self.story, post_data=story_form_data(self.story))


# --- the desk's form (issue 14) ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_with_an_image_but_no_alt_text_yet_is_saved(client_for, feed_page):
    """Autosave saves a draft the moment an image is picked; the alt text is asked for on publish, not then."""
    client = client_for(roles.EDITORS)
    image = a_test_image()
    data = story_form_data(title="Picture first", slug="picture-first", feature_image=str(image.pk))
    response = client.post(add_url(feed_page), data, headers={"accept": "application/json"})
    assert response.status_code == 200 and response.json()["success"], response.content[:500]
    assert not StoryPage.objects.get(slug="picture-first").live


@pytest.mark.django_db
def test_tags_are_typed_by_name_and_a_new_name_makes_a_tag(client_for, feed_page):
    from bulletin.newsroom.models import Tag

    client = client_for(roles.AUTHORS)
    existing = Tag.objects.order_by("pk").first()
    data = story_form_data(
        title="Tagged", slug="tagged-story", tags=f'{existing.name.upper()}, "Kyiv metro"', **PUBLISH
    )
    response = client.post(add_url(feed_page), data)
    assert response.status_code == 302, form_errors(response)
    story = StoryPage.objects.get(slug="tagged-story")
    new = Tag.objects.get(name="Kyiv metro")
    assert set(story.tags.all()) == {existing, new} and new.slug == "kyiv-metro"
    assert Client().get(new.get_absolute_url()).status_code == 200
    # The form shows them again as text for Wagtail's tag widget.
    form = client.get(edit_url(story)).context["form"]
    assert form["tags"].value() in (f'"Kyiv metro", {existing.name}', f'{existing.name}, "Kyiv metro"')


@pytest.mark.django_db
def test_a_form_that_fails_creates_no_tag(client_for, feed_page):
    from bulletin.newsroom.models import Tag

    client = client_for(roles.EDITORS)
    data = story_form_data(title="Broken", slug="authors", tags="Never saved", **PUBLISH)
    assert client.post(add_url(feed_page), data).status_code == 200
    assert not Tag.objects.filter(name="Never saved").exists()


@pytest.mark.django_db
def test_tag_autocomplete(client_for):
    from bulletin.newsroom.models import Tag

    client = client_for(roles.CONTRIBUTORS)
    tag = Tag.objects.order_by("pk").first()
    url = reverse("newsroom_tag_autocomplete")
    assert tag.name in client.get(url, {"term": tag.name[:3].lower()}).json()
    assert client.get(url, {"term": ""}).json() == []
    assert Client().get(url, {"term": "a"}).status_code == 302  # the admin's sign-in first


@pytest.mark.django_db
def test_the_story_form_has_no_seo_fields_nothing_reads(client_for, feed_page):
    """A story's <title>, description and previews come from its headline and summary (docs/editing.md)."""
    client = client_for(roles.EDITORS)
    form = client.get(add_url(feed_page)).context["form"]
    assert "slug" in form.fields
    assert not {"seo_title", "search_description", "show_in_menus"} & set(form.fields)


@pytest.mark.django_db
def test_the_schedule_fields_name_the_time_zone(client_for, feed_page, settings):
    client = client_for(roles.EDITORS)
    page = client.get(add_url(feed_page)).content.decode()
    assert f"Time zone: {settings.TIME_ZONE}" in page


@pytest.mark.django_db
def test_admin_menu_icons_exist_in_wagtail(client_for):
    """Every icon the admin menu names is one Wagtail has (an unknown name shows nothing)."""
    client = client_for(roles.EDITORS)
    known = set(
        re.findall(r'<symbol[^>]* id="icon-([\w-]+)"', client.get(reverse("wagtailadmin_sprite")).content.decode())
    )
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    used = set(re.findall(r'"icon_name": "([^"]+)"', home.replace("&quot;", '"'))) | set(
        re.findall(r'href="#icon-([\w-]+)"', home)
    )
    assert used and used <= known, used - known
    assert "edit" in used  # quick post's
