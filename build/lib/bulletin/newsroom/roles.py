"""The four newsroom roles as Wagtail groups: contributor, author, editor and admin.

- Contributors write drafts and submit them for review; they cannot publish.
- Authors publish their own stories (see StoryPermissionTester).
- Editors edit and publish every story and manage authors, sections and tags.
- Admins are Wagtail superusers: everything, including users and settings.
"""

from django.contrib.auth.models import Group, Permission
from django.db import OperationalError, ProgrammingError, transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

CONTRIBUTORS, AUTHORS, EDITORS, ADMINS = "Contributors", "Authors", "Editors", "Admins"

_PAGE_PERMISSIONS = {
    CONTRIBUTORS: ["add"],
    AUTHORS: ["add", "publish"],
    EDITORS: ["add", "change", "publish", "lock", "unlock", "bulk_delete"],
}
_IMAGE_PERMISSIONS = {
    CONTRIBUTORS: ["add_image", "choose_image"],
    AUTHORS: ["add_image", "choose_image"],
    EDITORS: ["add_image", "change_image", "choose_image", "delete_image"],
}
_MODEL_PERMISSIONS = {
    EDITORS: [f"{action}_{model}" for model in ("author", "section", "tag") for action in ("add", "change", "delete")],
}


def ensure_roles(**kwargs):
    """Create or complete the role groups; safe to run after every migrate (a post_migrate receiver).

    post_migrate fires once per app, and each app's permissions appear with its own signal; until the last
    one the lookups below may fail, so a missing permission means "not yet", and a later call completes it.
    """
    try:
        with transaction.atomic():
            _ensure_roles()
    except (Permission.DoesNotExist, ProgrammingError, OperationalError):
        pass


def _ensure_roles():
    root = Page.get_first_root_node()
    if root is None:
        raise Permission.DoesNotExist
    access_admin = Permission.objects.get(codename="access_admin")
    root_collection = Collection.get_first_root_node()
    for name, page_perms in _PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        for codename in page_perms:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=Permission.objects.get(content_type__app_label="wagtailcore",
                                                                          codename=f"{codename}_page")
            )
        for codename in _IMAGE_PERMISSIONS[name]:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection,
                permission=Permission.objects.get(content_type__app_label="wagtailimages", codename=codename),
            )
        for codename in _MODEL_PERMISSIONS.get(name, []):
            group.permissions.add(Permission.objects.get(content_type__app_label="newsroom", codename=codename))
    Group.objects.get_or_create(name=ADMINS)
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
