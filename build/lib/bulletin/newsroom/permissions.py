"""Who may publish which story: the four newsroom roles on top of Wagtail's page permissions."""

from wagtail.models import PagePermissionTester


class StoryPermissionTester(PagePermissionTester):
    """Authors hold Wagtail's "publish" permission but may use it on their own stories only;
    editors (who hold "change" on every page) and admins may publish any story."""

    def _may_publish_this_story(self):
        return self.user.is_superuser or "change" in self.permissions or self.page.owner_id == self.user.pk

    def can_publish(self):
        return super().can_publish() and self._may_publish_this_story()

    def can_unpublish(self):
        return super().can_unpublish() and self._may_publish_this_story()

    def can_unschedule(self):
        return self.can_publish()
