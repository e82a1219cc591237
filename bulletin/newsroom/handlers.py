"""Receivers that keep the newsroom's own derived data right; connected in NewsroomConfig.ready()."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver
from wagtail.signals import page_published

from .models import ListingEntry, Sequence, StoryPage
from .roles import ensure_roles


@receiver(page_published, sender=StoryPage)
def place_published_story(sender, instance, **kwargs):
    """On first publish, give the story the next News Feed position (kept on republish: a story does not jump
    to the top of the feed because it was edited), and a place in its section's, tags' and authors' lists.
    Wagtail sends page_published for a story scheduled for later too; that one is placed when the scheduler
    makes it live. Runs inside Wagtail's publish transaction."""
    if not instance.live:
        return
    if instance.feed_position is None:
        instance.feed_position = Sequence.next_value("feed")
        StoryPage.objects.filter(pk=instance.pk).update(feed_position=instance.feed_position)
    ListingEntry.place(instance)


post_migrate.connect(ensure_roles, dispatch_uid="bulletin.newsroom.ensure_roles")
