"""Receivers that turn a story's publish, update or unpublish into a live event; connected in LiveConfig.ready()."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from bulletin.newsroom.models import BreakingNews, StoryPage

from .events import emit, emit_banner, emit_removal
from .models import LiveEvent


@receiver(pre_save, sender=StoryPage)
def remember_if_live(sender, instance, **kwargs):
    """Readers have seen the story if it is live and was published before: a page created live (as quick post
    does, before publishing its first revision) has no first publication yet."""
    instance._was_live = (
        bool(instance.pk)
        and StoryPage.objects.filter(pk=instance.pk, live=True, first_published_at__isnull=False).exists()
    )


@receiver(page_published, sender=StoryPage)
def story_published(sender, instance, **kwargs):
    if not instance.live:  # scheduled for later: the scheduler publishes it, and this runs again, then
        return
    emit(LiveEvent.UPDATED if getattr(instance, "_was_live", False) else LiveEvent.PUBLISHED, instance)


@receiver(page_unpublished, sender=StoryPage)
def story_unpublished(sender, instance, **kwargs):
    """Unpublished or deleted (Wagtail unpublishes a live page before deleting it)."""
    emit_removal(instance)


@receiver(post_save, sender=BreakingNews)
def banner_changed(sender, instance, **kwargs):
    """Open pages show, change or take down the banner as the event reaches them. Wagtail creates the empty
    setting the first time anything reads it (a render of banner.json, the admin's form): readers see no change."""
    if kwargs.get("created") and not instance.text:
        return
    emit_banner(instance)
