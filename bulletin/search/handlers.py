"""Receivers that keep the index equal to what is published, in the same transaction; connected in
SearchConfig.ready(). Previews and drafts send none of these signals, so they never reach the index."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from bulletin.newsroom.models import Author, Byline, Section, StoryPage, Tag
from bulletin.newsroom.signals import stories_loaded

from . import index


@receiver(page_published, sender=StoryPage)
def story_published(sender, instance, **kwargs):
    """Index the story as published; newsroom's receiver ran first and gave it its feed position."""
    if not instance.live:  # scheduled for later: indexed when the scheduler publishes it
        return
    index.index_stories([instance.pk])


@receiver(page_unpublished, sender=StoryPage)
@receiver(post_delete, sender=StoryPage)
def story_removed(sender, instance, **kwargs):
    index.remove_story(instance)


@receiver(stories_loaded)
def stories_loaded_in_bulk(sender, story_ids, **kwargs):
    """The demo builder and importers write stories without Wagtail's signals: index them in their batch."""
    index.index_stories(story_ids)


@receiver(post_save, sender=Author)
def author_changed(sender, instance, created, **kwargs):
    if not created:
        index.index_stories(Byline.objects.filter(author=instance).values_list("page_id", flat=True))


@receiver(post_save, sender=Section)
def section_changed(sender, instance, created, **kwargs):
    if not created:
        index.index_stories(StoryPage.objects.filter(section=instance).values_list("pk", flat=True))


@receiver(post_save, sender=Tag)
def tag_changed(sender, instance, created, **kwargs):
    if not created:
        index.index_stories(StoryPage.tags.through.objects.filter(tag=instance).values_list("storypage_id", flat=True))


@receiver(pre_delete, sender=Tag)
def tag_deleted(sender, instance, **kwargs):
    """Before its links to its stories go: remember them, so post_delete indexes them without the tag."""
    instance._search_story_ids = list(
        StoryPage.tags.through.objects.filter(tag=instance).values_list("storypage_id", flat=True)
    )


@receiver(post_delete, sender=Tag)
def tag_gone(sender, instance, **kwargs):
    index.index_stories(getattr(instance, "_search_story_ids", []))
