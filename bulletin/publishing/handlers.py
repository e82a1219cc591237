"""Receivers that turn content changes into outbox entries; connected in PublishingConfig.ready()."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from wagtail.contrib.redirects.models import Redirect
from wagtail.signals import page_published, page_unpublished

from bulletin.newsroom.collection_kinds import AUTHORS, TAGS
from bulletin.newsroom.models import Author, PublicationSettings, Section, StoryPage, Tag

from . import plan
from .models import GoneURL
from .publisher import record


@receiver(pre_save, sender=StoryPage)
def remember_published_state(sender, instance, **kwargs):
    """Before a live story is saved (a publish or a slug change), note where public/ shows it now."""
    if instance.pk:
        live = StoryPage.objects.filter(pk=instance.pk, live=True).first()
        instance._published_before = plan.PublishedState.of(live) if live else None


@receiver(page_published, sender=StoryPage)
def publish_story(sender, instance, **kwargs):
    if not instance.live:  # scheduled for later: the scheduler publishes it (and this runs again) then
        return
    GoneURL.objects.filter(path=instance.url).delete()
    before = getattr(instance, "_published_before", None)
    if before and before.url != instance.url:
        _mark_gone(before.url)
    record(f"published {instance.title[:150]}", plan.for_story(instance, before))


@receiver(page_unpublished, sender=StoryPage)
def unpublish_story(sender, instance, **kwargs):
    url = instance.url
    _mark_gone(url)
    record(f"unpublished {instance.title[:150]}", plan.for_removed_story(instance, url))


def _mark_gone(url):
    """Readers of a removed story's URL get 410 Gone (web's GoneMiddleware), unless an editor redirects it."""
    GoneURL.objects.update_or_create(path=url)


@receiver(post_save, sender=Redirect)
@receiver(post_delete, sender=Redirect)
def redirect_changed(sender, instance, **kwargs):
    """An editor's redirect on a removed story's URL wins over its 410: render that URL again."""
    path = instance.old_path.rstrip("/") + "/"
    if GoneURL.objects.filter(path=path).exists():
        record(f"redirect {path}", plan.Plan(now=[path], later=[]))


@receiver(post_save, sender=Author)
def author_changed(sender, instance, **kwargs):
    record(f"author {instance.name}", plan.for_collection(AUTHORS, instance))


@receiver(post_save, sender=Tag)
@receiver(pre_delete, sender=Tag)  # before its links to its stories go: its pages leave public/, its stories lose it
def tag_changed(sender, instance, **kwargs):
    record(f"tag {instance.name}", plan.for_collection(TAGS, instance))


@receiver(post_save, sender=Section)
def section_changed(sender, instance, **kwargs):
    record(f"section {instance.name}", plan.for_section(instance))


@receiver(post_save, sender=PublicationSettings)
def publication_changed(sender, instance, **kwargs):
    record("publication settings", plan.for_publication())
