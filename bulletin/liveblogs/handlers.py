"""Receivers: a live blog is published as a story is, and each entry publishes on its own; connected in
LiveBlogsConfig.ready(), after every other app's (INSTALLED_APPS order)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published, page_unpublished

from bulletin.newsroom.models import StoryPage

from . import publishing
from .models import LiveBlogEntry, LiveBlogPage


# Django and Wagtail send a model's signals with the model's own class as sender, so the receivers that the
# newsroom, live, publishing and search apps connect for StoryPage would not hear a live blog. Sending the same
# signal again as StoryPage runs every one of them, in their order, with no list of them kept here.
@receiver(pre_save, sender=LiveBlogPage)
def as_story_before_save(sender, instance, **kwargs):
    pre_save.send(sender=StoryPage, instance=instance, **_forwarded(kwargs))
    if instance.pk:
        instance._status_before = (
            LiveBlogPage.objects.filter(pk=instance.pk, live=True).values_list("status", flat=True).first()
        )


@receiver(page_published, sender=LiveBlogPage)
def as_story_published(sender, instance, **kwargs):
    page_published.send(sender=StoryPage, instance=instance, **_forwarded(kwargs))
    if not instance.live:
        return
    publishing.blog_changed(instance)
    if getattr(instance, "_status_before", None) is not None:  # it was live: open pages follow its changes
        publishing.emit_blog(instance)


@receiver(page_unpublished, sender=LiveBlogPage)
def as_story_unpublished(sender, instance, **kwargs):
    page_unpublished.send(sender=StoryPage, instance=instance, **_forwarded(kwargs))


def _forwarded(kwargs):
    return {name: value for name, value in kwargs.items() if name != "signal"}


@receiver(post_save, sender=LiveBlogEntry)
def entry_saved(sender, instance, created, **kwargs):
    """Publish a posted or edited entry, and move the blog's Updated time in the News Feed."""
    blog = LiveBlogPage.objects.get(pk=instance.blog_id)
    instance.blog = blog
    if not blog.live:
        return  # a draft blog's entries are published with it
    _touch(blog)
    positions = [instance.position]
    was_key = getattr(instance, "_was_key", False)
    publishing.emit_entry(instance, created)
    publishing.emit_feed_item(blog)
    publishing.entry_changed(blog, positions, key_event=instance.is_key or was_key)


@receiver(pre_save, sender=LiveBlogEntry)
def remember_key_event(sender, instance, **kwargs):
    """An entry that stops being a key event leaves the "Key events" page: render it then too."""
    instance._was_key = bool(instance.pk) and LiveBlogEntry.objects.filter(pk=instance.pk, is_key=True).exists()


@receiver(post_delete, sender=LiveBlogEntry)
def entry_deleted(sender, instance, **kwargs):
    blog = LiveBlogPage.objects.filter(pk=instance.blog_id).first()
    if blog is None or not blog.live:  # the blog itself is being deleted: its own removal covers its entries
        return
    _touch(blog)
    publishing.emit_entry_removal(blog, instance.pk)
    publishing.emit_feed_item(blog)
    publishing.entry_changed(blog, [instance.position], key_event=instance.is_key)


def _touch(blog):
    blog.updated_at = timezone.now()
    StoryPage.objects.filter(pk=blog.pk).update(updated_at=blog.updated_at)
