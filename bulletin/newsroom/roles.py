"""The four newsroom roles as Wagtail groups: contributor, author, editor and admin.

- Contributors write drafts and submit them for review; they cannot publish.
- Authors publish their own stories (see StoryPermissionTester).
- Editors edit and publish every story, manage authors, sections, tags, redirects, images and documents.
- Admins are Wagtail superusers: everything, including users and settings.
"""

from django.contrib.auth.models import Group, Permission
from django.db import OperationalError, ProgrammingError, transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

CONTRIBUTORS, AUTHORS, EDITORS, ADMINS = "Contributors", "Authors", "Editors", "Admins"

#: What each role may do, and nothing else: ensure_roles() makes the groups match this exactly, removing what
#: Wagtail's own migrations give the groups it creates ("Editors" and "Moderators", with documents and images).
#: docs/editing.md describes it in words; tests/newsroom/test_roles.py compares every group with its own copy.
#: "pages": Wagtail page permissions on the root page (so on every story); "collections": image and document
#: permissions on the root collection; "models": plain Django permissions ("app_label.codename").
ROLE_PERMISSIONS = {
    CONTRIBUTORS: {
        "models": ["wagtailadmin.access_admin"],
        "pages": ["add_page"],
        "collections": ["wagtailimages.add_image", "wagtailimages.choose_image"],
    },
    AUTHORS: {
        "models": ["wagtailadmin.access_admin"],
        "pages": ["add_page", "publish_page"],
        "collections": ["wagtailimages.add_image", "wagtailimages.choose_image"],
    },
    EDITORS: {
        "models": [
            "wagtailadmin.access_admin",
            *(
                f"newsroom.{action}_{model}"
                for model in ("author", "section", "tag")
                for action in ("add", "change", "delete")
            ),
            # The breaking-news banner (a Wagtail setting: the change permission lets editors set it).
            "newsroom.change_breakingnews",
            # docs/publishing.md: an editor who removes a story sets a redirect for its URL.
            "wagtailredirects.add_redirect",
            "wagtailredirects.change_redirect",
            "wagtailredirects.delete_redirect",
        ],
        "pages": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"],
        "collections": [
            "wagtailimages.add_image",
            "wagtailimages.change_image",
            "wagtailimages.choose_image",
            "wagtailimages.delete_image",
            # Source documents (a court ruling, a report) of the allowed types only: WAGTAILDOCS_EXTENSIONS.
            "wagtaildocs.add_document",
            "wagtaildocs.change_document",
            "wagtaildocs.choose_document",
            "wagtaildocs.delete_document",
        ],
    },
    ADMINS: {"models": [], "pages": [], "collections": []},  # superusers: every permission without a grant
}
#: A group Wagtail's migrations create with publishing rights that no newsroom role uses; removed while empty.
WAGTAIL_MODERATORS = "Moderators"


def ensure_roles(**kwargs):
    """Create the role groups or put them back to ROLE_PERMISSIONS; safe to run after every migrate (a
    post_migrate receiver).

    post_migrate fires once per app, and each app's permissions appear with its own signal; until the last
    one the lookups below may fail, so a missing permission means "not yet", and a later call completes it.
    """
    try:
        with transaction.atomic():
            _ensure_roles()
    except (Permission.DoesNotExist, ProgrammingError, OperationalError):
        pass


def _permission(label):
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _ensure_roles():
    root = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    if root is None or root_collection is None:
        raise Permission.DoesNotExist
    for name, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(label) for label in grants["models"]])
        pages = [_permission(f"wagtailcore.{codename}") for codename in grants["pages"]]
        GroupPagePermission.objects.filter(group=group).exclude(page=root, permission__in=pages).delete()
        for permission in pages:
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
        collections = [_permission(label) for label in grants["collections"]]
        GroupCollectionPermission.objects.filter(group=group).exclude(
            collection=root_collection, permission__in=collections
        ).delete()
        for permission in collections:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
    Group.objects.filter(name=WAGTAIL_MODERATORS, user__isnull=True).delete()
    _let_editors_review()


def _let_editors_review():
    """Make editors reviewers in Wagtail's default moderation workflow, where contributors submit drafts."""
    from wagtail.models import GroupApprovalTask

    editors = Group.objects.get(name=EDITORS)
    for task in GroupApprovalTask.objects.all():
        task.groups.add(editors)


def assign_role(user, role):
    """Put ``user`` in exactly one role group; ADMINS also makes them a superuser."""
    user.groups.remove(*Group.objects.filter(name__in=[CONTRIBUTORS, AUTHORS, EDITORS, ADMINS]))
    user.groups.add(Group.objects.get(name=role))
    user.is_superuser = role == ADMINS
    user.is_staff = role == ADMINS
    user.save()
