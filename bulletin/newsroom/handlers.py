"""Receivers that keep the newsroom's own derived data right; connected in NewsroomConfig.ready()."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver
from wagtail.signals import page_published

from .models import FeedSequence, StoryPage
from .roles import ensure_roles


@receiver(page_published, sender=StoryPage)
def give_story_a_feed_position(sender, instance, **kwargs):
    """On first publish, give the story the next News Feed position (kept on republish: a story
    does not jump to the top of the feed because it was edited). Wagtail sends page_published for a story
    scheduled for later too; that one gets its position when the scheduler makes it live. Runs inside Wagtail's
    publish transaction."""
    if instance.live and instance.feed_position is None:
        instance.feed_position = FeedSequence.next_position()
        StoryPage.objects.filter(pk=instance.pk).update(feed_position=instance.feed_position)


post_migrate.connect(ensure_roles, dispatch_uid="bulletin.newsroom.ensure_roles")
