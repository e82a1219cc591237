"""What each newsroom role may do, checked through the real Wagtail admin (no mocks)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from bulletin.newsroom import listings, roles
from bulletin.newsroom.models import Author, Section, StoryPage, Tag
from tests.factories import story_form_data

pytestmark = pytest.mark.django_db


def add_url(feed_page):
    return reverse("wagtailadmin_pages:add", args=("newsroom", "storypage", feed_page.pk))


def create_via_admin(client, feed_page, slug, **extra):
    response = client.post(add_url(feed_page), story_form_data(title=f"Story {slug}", slug=slug, **extra))
    assert response.status_code == 302, _form_errors(response)
    return StoryPage.objects.get(slug=slug)


def _form_errors(response):
    context = getattr(response, "context", None)
    if not context or "form" not in context:
        return f"status {response.status_code}"
    form = context["form"]
    return {"form": form.errors, "formsets": {n: [f.errors for f in fs] for n, fs in form.formsets.items()}}


def draft_owned_by(feed_page, user, slug):
    """A draft story (never published) owned by ``user``, created the way the admin creates one."""
    story = StoryPage(
        title=f"Draft {slug}",
        slug=slug,
        summary="A draft.",
        section=Section.objects.order_by("pk").first(),
        owner=user,
        live=False,
    )
    feed_page.add_child(instance=story)
    story.save_revision(user=user)
    return StoryPage.objects.get(pk=story.pk)


def assert_denied(response):
    """Wagtail's admin turns PermissionDenied into a redirect to the dashboard with an error message
    (a bare 403 only for XMLHttpRequest); either way the user does not get the page."""
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home"), response["Location"]
    else:
        assert response.status_code == 403, response.status_code


XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def menu_html(client):
    return client.get(reverse("wagtailadmin_home")).content.decode()


# --- contributors ---------------------------------------------------------------------------------------------


def test_contributor_can_open_add_form_and_save_draft(client_for, feed_page):
    client = client_for(roles.CONTRIBUTORS)
    assert client.get(add_url(feed_page)).status_code == 200
    story = create_via_admin(client, feed_page, "contributor-draft")
    assert not story.live
    assert story.owner == client.user
    assert story.feed_position is None


def test_contributor_publish_does_not_make_story_live(client_for, feed_page):
    client = client_for(roles.CONTRIBUTORS)
    response = client.post(
        add_url(feed_page),
        story_form_data(
            title="Contributor publish", slug="contributor-publish", **{"action-publish": "action-publish"}
        ),
    )
    assert response.status_code in (200, 302)
    story = StoryPage.objects.filter(slug="contributor-publish").first()
    # Wagtail saves a draft when the user may not publish: the story exists but is not live.
    assert story is not None, _form_errors(response)
    assert not story.live
    assert story.feed_position is None
    assert not StoryPage.objects.live().filter(slug="contributor-publish").exists()


def test_contributor_can_submit_for_moderation(client_for, feed_page):
    client = client_for(roles.CONTRIBUTORS)
    story = create_via_admin(client, feed_page, "contributor-submit", **{"action-submit": "action-submit"})
    assert not story.live
    workflow_state = story.current_workflow_state
    assert workflow_state is not None, "the story was not submitted to a workflow"
    assert workflow_state.status == "in_progress"


def test_contributor_cannot_use_quick_post(client_for):
    client = client_for(roles.CONTRIBUTORS)
    assert_denied(client.get(reverse("newsdesk_quick_post")))
    assert client.get(reverse("newsdesk_quick_post"), **XHR).status_code == 403
    assert client.post(reverse("newsdesk_quick_post"), {"headline": "x"}, **XHR).status_code == 403
    assert reverse("newsdesk_quick_post") not in menu_html(client)


def test_quick_post_menu_item_shown_to_editor(client_for):
    # The counterpart of the contributor check above: the URL does appear in the menu for a role that may use it.
    client = client_for(roles.EDITORS)
    assert reverse("newsdesk_quick_post") in menu_html(client)


# --- authors --------------------------------------------------------------------------------------------------


def test_author_publishes_own_story(client_for, feed_page):
    client = client_for(roles.AUTHORS)
    story = create_via_admin(client, feed_page, "author-own-story", **{"action-publish": "action-publish"})
    assert story.live
    assert story.owner == client.user
    assert story.feed_position is not None
    assert listings.latest()[0].pk == story.pk


def test_author_cannot_publish_someone_elses_story(client_for, feed_page):
    other = client_for(roles.AUTHORS, username="other-author").user
    story = draft_owned_by(feed_page, other, "someone-elses-draft")
    client = client_for(roles.AUTHORS)
    assert not story.permissions_for_user(client.user).can_publish()
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(story.pk,)),
        story_form_data(title=story.title, slug=story.slug, **{"action-publish": "action-publish"}),
    )
    assert_denied(response)  # authors may not even edit another owner's story
    story.refresh_from_db()
    assert not story.live
    assert story.feed_position is None


def test_author_cannot_unpublish_someone_elses_story(client_for, feed_page):
    story = StoryPage.objects.live().filter(feed_position__isnull=False).first()
    client = client_for(roles.AUTHORS)
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=(story.pk,)))
    assert_denied(response)
    story.refresh_from_db()
    assert story.live


@pytest.mark.parametrize("model", ["author", "section", "tag"])
def test_author_cannot_manage_snippets(client_for, model):
    client = client_for(roles.AUTHORS)
    url = reverse(f"wagtailsnippets_newsroom_{model}:add")
    assert_denied(client.get(url))
    assert client.get(url, **XHR).status_code == 403
    assert client.post(url, {"name": "Nope", "slug": "nope"}, **XHR).status_code == 403
    assert_denied(client.post(url, {"name": "Nope", "slug": "nope"}))
    assert not Section.objects.filter(slug="nope").exists() and not Tag.objects.filter(slug="nope").exists()


# --- editors --------------------------------------------------------------------------------------------------


def test_editor_publishes_another_users_story(client_for, feed_page):
    author = client_for(roles.AUTHORS, username="draft-owner").user
    story = draft_owned_by(feed_page, author, "editor-publishes-this")
    client = client_for(roles.EDITORS)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(story.pk,)),
        story_form_data(title=story.title, slug=story.slug, **{"action-publish": "action-publish"}),
    )
    assert response.status_code == 302, _form_errors(response)
    story.refresh_from_db()
    assert story.live
    assert story.feed_position is not None
    assert listings.latest()[0].pk == story.pk


def test_editor_can_add_section_and_tag(client_for):
    client = client_for(roles.EDITORS)
    response = client.post(
        reverse("wagtailsnippets_newsroom_section:add"), {"name": "Science", "slug": "science", "description": ""}
    )
    assert response.status_code == 302
    assert Section.objects.filter(slug="science").exists()
    response = client.post(
        reverse("wagtailsnippets_newsroom_tag:add"),
        {"name": "Roles test tag", "slug": "roles-test-tag", "description": ""},
    )
    assert response.status_code == 302
    assert Tag.objects.filter(slug="roles-test-tag").exists()


def test_editor_can_add_author(client_for):
    client = client_for(roles.EDITORS)
    data = nested_form_data(
        {
            "name": "Olena Test",
            "slug": "olena-test",
            "job_title": "Reporter",
            "bio": "",
            "avatar": "",
            "user": "",
            "links": inline_formset([{"label": "Email", "url": "https://example.org/olena", "id": ""}]),
        }
    )
    response = client.post(reverse("wagtailsnippets_newsroom_author:add"), data)
    assert response.status_code == 302, _form_errors(response)
    author = Author.objects.get(slug="olena-test")
    assert [link.url for link in author.links.all()] == ["https://example.org/olena"]


def test_editor_cannot_manage_users(client_for):
    client = client_for(roles.EDITORS)
    assert_denied(client.get(reverse("wagtailusers_users:index")))
    assert client.get(reverse("wagtailusers_users:index"), **XHR).status_code == 403


# --- admins ---------------------------------------------------------------------------------------------------


def test_admin_is_superuser_and_manages_users(client_for):
    client = client_for(roles.ADMINS)
    assert client.user.is_superuser
    assert client.get(reverse("wagtailusers_users:index")).status_code == 200


def test_assign_role_moves_user_out_of_previous_role(client_for):
    client = client_for(roles.ADMINS)
    roles.assign_role(client.user, roles.CONTRIBUTORS)
    user = get_user_model().objects.get(pk=client.user.pk)
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [roles.CONTRIBUTORS]


# --- PagePermissionTester ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, own, other",
    [
        (roles.CONTRIBUTORS, False, False),
        (roles.AUTHORS, True, False),
        (roles.EDITORS, True, True),
        (roles.ADMINS, True, True),
    ],
)
def test_can_publish_per_role(client_for, feed_page, role, own, other):
    user = client_for(role).user
    someone = client_for(roles.AUTHORS, username="someone-else").user
    own_story = draft_owned_by(feed_page, user, "own-story")
    other_story = draft_owned_by(feed_page, someone, "other-story")
    assert own_story.permissions_for_user(user).can_publish() is own
    assert other_story.permissions_for_user(user).can_publish() is other
    assert other_story.permissions_for_user(user).can_unschedule() is other


@pytest.mark.parametrize(
    "role, expected", [(roles.CONTRIBUTORS, False), (roles.AUTHORS, False), (roles.EDITORS, True), (roles.ADMINS, True)]
)
def test_can_unpublish_a_demo_story_per_role(client_for, role, expected):
    story = StoryPage.objects.live().first()
    user = client_for(role).user
    assert story.permissions_for_user(user).can_unpublish() is expected


def test_feed_page_publish_subpage_per_role(client_for, feed_page):
    expected = {roles.CONTRIBUTORS: False, roles.AUTHORS: True, roles.EDITORS: True, roles.ADMINS: True}
    for role, may in expected.items():
        user = client_for(role, username=f"sub-{role}").user
        assert Page.objects.get(pk=feed_page.pk).permissions_for_user(user).can_publish_subpage() is may, role


# --- the same rules through Wagtail's bulk actions -------------------------------------------------------------
# Bulk actions load plain ``Page`` objects (not StoryPage), so they must still respect StoryPermissionTester.


def bulk_url(action, *pages):
    return (
        reverse("wagtail_bulk_action", args=("wagtailcore", "page", action))
        + "?"
        + "&".join(f"id={page.pk}" for page in pages)
    )


def test_author_cannot_bulk_publish_someone_elses_draft(client_for, feed_page):
    other = client_for(roles.AUTHORS, username="bulk-owner").user
    story = draft_owned_by(feed_page, other, "bulk-someone-elses-draft")
    client = client_for(roles.AUTHORS)
    client.post(bulk_url("publish", story), {"include_descendants": ""})
    story.refresh_from_db()
    assert not story.live
    assert story.feed_position is None


def test_author_cannot_bulk_unpublish_someone_elses_story(client_for):
    story = StoryPage.objects.live().filter(feed_position__isnull=False).first()
    client = client_for(roles.AUTHORS)
    client.post(bulk_url("unpublish", story), {"include_descendants": ""})
    story.refresh_from_db()
    assert story.live


def test_author_can_bulk_publish_own_draft(client_for, feed_page):
    # The counterpart of the two above: the bulk action itself works for a story the author owns.
    client = client_for(roles.AUTHORS)
    story = draft_owned_by(feed_page, client.user, "bulk-own-draft")
    response = client.post(bulk_url("publish", story), {"include_descendants": ""})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.live
    assert story.feed_position is not None


# --- the whole matrix, against Wagtail's defaults ---------------------------------------------------------------

#: docs/editing.md's table of roles as permissions: every group, every grant (models: "app_label.codename";
#: pages: (page path, codename); collections: (collection, "app_label.codename")). Wagtail's migrations create
#: groups of their own ("Editors" and "Moderators") with documents and images rights; an upgrade that adds or
#: changes such grants fails here.
ROLE_MATRIX = {
    "Contributors": {
        "models": ["wagtailadmin.access_admin"],
        "pages": [("/", "add_page")],
        "collections": [("Root", "wagtailimages.add_image"), ("Root", "wagtailimages.choose_image")],
    },
    "Authors": {
        "models": ["wagtailadmin.access_admin"],
        "pages": [("/", "add_page"), ("/", "publish_page")],
        "collections": [("Root", "wagtailimages.add_image"), ("Root", "wagtailimages.choose_image")],
    },
    "Editors": {
        "models": [
            "newsroom.add_author",
            "newsroom.add_section",
            "newsroom.add_tag",
            "newsroom.change_author",
            "newsroom.change_breakingnews",
            "newsroom.change_section",
            "newsroom.change_tag",
            "newsroom.delete_author",
            "newsroom.delete_section",
            "newsroom.delete_tag",
            "wagtailadmin.access_admin",
            "wagtailredirects.add_redirect",
            "wagtailredirects.change_redirect",
            "wagtailredirects.delete_redirect",
        ],
        "pages": [
            ("/", "add_page"),
            ("/", "bulk_delete_page"),
            ("/", "change_page"),
            ("/", "lock_page"),
            ("/", "publish_page"),
            ("/", "unlock_page"),
        ],
        "collections": [
            ("Root", "wagtaildocs.add_document"),
            ("Root", "wagtaildocs.change_document"),
            ("Root", "wagtaildocs.choose_document"),
            ("Root", "wagtaildocs.delete_document"),
            ("Root", "wagtailimages.add_image"),
            ("Root", "wagtailimages.change_image"),
            ("Root", "wagtailimages.choose_image"),
            ("Root", "wagtailimages.delete_image"),
        ],
    },
    "Admins": {"models": [], "pages": [], "collections": []},
}


def granted(group):
    """Everything ``group`` is granted, in ROLE_MATRIX's shape."""
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    def label(permission):
        return f"{permission.content_type.app_label}.{permission.codename}"

    return {
        "models": sorted(label(p) for p in group.permissions.all()),
        "pages": sorted(
            (gp.page.url_path, gp.permission.codename) for gp in GroupPagePermission.objects.filter(group=group)
        ),
        "collections": sorted(
            (gc.collection.name, label(gc.permission)) for gc in GroupCollectionPermission.objects.filter(group=group)
        ),
    }


def test_every_group_has_exactly_the_documented_permissions():
    from django.contrib.auth.models import Group

    assert {group.name: granted(group) for group in Group.objects.all()} == ROLE_MATRIX


def test_ensure_roles_takes_back_what_a_group_should_not_have():
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    editors = Group.objects.get(name=roles.EDITORS)
    editors.permissions.add(Permission.objects.get(codename="add_user"))
    GroupPagePermission.objects.create(
        group=editors, page=Page.objects.get(depth=2), permission=Permission.objects.get(codename="publish_page")
    )
    Group.objects.create(name="Moderators")
    roles.ensure_roles()
    assert {group.name: granted(group) for group in Group.objects.all()} == ROLE_MATRIX


def test_editor_sets_a_redirect_for_a_removed_story(client_for):
    from wagtail.contrib.redirects.models import Redirect

    client = client_for(roles.EDITORS)
    response = client.post(
        reverse("wagtailredirects:add"),
        {
            "old_path": "/removed-story/",
            "site": "",
            "is_permanent": "on",
            "redirect_page": "",
            "redirect_link": "https://example.org/elsewhere/",
        },
    )
    assert response.status_code == 302, _form_errors(response)
    assert Redirect.objects.filter(old_path="/removed-story").exists()


@pytest.mark.parametrize("role", [roles.CONTRIBUTORS, roles.AUTHORS])
def test_only_editors_set_redirects(client_for, role):
    assert_denied(client_for(role).get(reverse("wagtailredirects:add")))


def test_editor_cannot_manage_groups(client_for):
    client = client_for(roles.EDITORS)
    assert_denied(client.get(reverse("wagtailusers_groups:index")))
    assert_denied(client.post(reverse("wagtailusers_groups:add"), {"name": "Sneaky"}))
