"""Receivers that turn content changes into outbox entries; connected in PublishingConfig.ready()."""

import copy

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from wagtail.contrib.redirects.models import Redirect
from wagtail.signals import page_published, page_unpublished

from bulletin.newsroom.collection_kinds import AUTHORS, SECTIONS, TAGS
from bulletin.newsroom.models import Author, BreakingNews, PublicationSettings, Section, StoryPage, Tag

from . import plan, redirect_map
from .models import GoneURL
from .publisher import Publisher, record


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
    if not _redirect_map_pending:
        _redirect_map_pending.append(True)
        transaction.on_commit(_write_redirect_map)


#: Set while a rewrite of the redirect map waits for its transaction's commit: one rewrite for many redirects
#: changed together (a section's new slug redirects each of its pages).
_redirect_map_pending = []


def _write_redirect_map():
    _redirect_map_pending.clear()
    redirect_map.write(Publisher().storage)


@receiver(pre_save, sender=Author)
@receiver(pre_save, sender=Section)
@receiver(pre_save, sender=Tag)
def remember_slug(sender, instance, **kwargs):
    """Before a section, tag or author is saved, note its slug: the URLs public/ has for it use that one."""
    instance._slug_before = (
        sender.objects.filter(pk=instance.pk).values_list("slug", flat=True).first() if (instance.pk) else None
    )


def _follow_slug(kind, collection):
    """A new or changed slug: every URL the collection had under its old slug (its head, numbered pages and feeds)
    gets a permanent redirect to the same page under the new one, which editors see in Settings → Redirects and
    Wagtail's RedirectMiddleware answers; redirects to the old URLs move to the new ones (no chains), and
    redirects from the new URLs (the slug was taken back) go. Returns the old URLs, to render again: they answer
    301 now, so the publisher removes their files and the static server passes them to the app."""
    before = getattr(collection, "_slug_before", None)
    collection._slug_before = collection.slug  # a second save must not redirect again
    if before == collection.slug:
        return []
    new_urls = plan.urls_of(kind, collection)
    Redirect.objects.filter(old_path__in=[Redirect.normalise_path(url) for url in new_urls]).delete()
    if before is None:
        return []
    old = copy.copy(collection)
    old.slug = before
    old_urls = plan.urls_of(kind, old)  # the same pages in the same order: a listing's pages do not depend on its slug
    for old_url, new_url in zip(old_urls, new_urls, strict=True):
        Redirect.objects.filter(redirect_link=old_url).update(redirect_link=new_url)
        Redirect.objects.update_or_create(
            old_path=Redirect.normalise_path(old_url),
            site=None,
            defaults={"redirect_link": new_url, "redirect_page": None, "is_permanent": True},
        )
    return old_urls


def _with_old_urls(change, old_urls):
    change.now = list(dict.fromkeys([*change.now, *old_urls]))
    return change


@receiver(post_save, sender=Author)
@receiver(pre_delete, sender=Author)
def author_changed(sender, instance, **kwargs):
    old_urls = _follow_slug(AUTHORS, instance) if "created" in kwargs else []
    record(f"author {instance.name}", _with_old_urls(plan.for_collection(AUTHORS, instance), old_urls))


@receiver(post_save, sender=Tag)
@receiver(pre_delete, sender=Tag)  # before its links to its stories go: its pages leave public/, its stories lose it
def tag_changed(sender, instance, **kwargs):
    old_urls = _follow_slug(TAGS, instance) if "created" in kwargs else []
    record(f"tag {instance.name}", _with_old_urls(plan.for_collection(TAGS, instance), old_urls))


@receiver(post_save, sender=Section)
@receiver(pre_delete, sender=Section)
def section_changed(sender, instance, **kwargs):
    old_urls = _follow_slug(SECTIONS, instance) if "created" in kwargs else []
    record(f"section {instance.name}", _with_old_urls(plan.for_section(instance), old_urls))


@receiver(post_save, sender=PublicationSettings)
def publication_changed(sender, instance, **kwargs):
    record("publication settings", plan.for_publication())


@receiver(post_save, sender=BreakingNews)
def breaking_news_changed(sender, instance, created, **kwargs):
    if created and not instance.text:  # Wagtail creating the empty setting on its first read: nothing to show
        return
    record("breaking news", plan.for_breaking_news())
