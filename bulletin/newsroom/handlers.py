"""Receivers that keep the newsroom's own derived data right; connected in NewsroomConfig.ready()."""

from django.db import connections
from django.db.models.signals import post_delete, post_migrate
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from .models import ListingCount, ListingEntry, Sequence, StoryPage
from .roles import ensure_roles
from .signals import stories_loaded


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


@receiver(page_unpublished, sender=StoryPage)
def uncount_unpublished_story(sender, instance, **kwargs):
    """An unpublished story keeps its places in the lists, but /sections/ and /authors/ no longer count it. (Wagtail
    also sends this before deleting a live story, still live: the deletion of its entries uncounts it then.)"""
    ListingEntry.settle_counts([instance.pk])


@receiver(stories_loaded)
def count_loaded_stories(sender, story_ids, **kwargs):
    """Stories written in bulk (the demo, an import) are counted like published ones."""
    ListingEntry.settle_counts(story_ids)


@receiver(post_delete, sender=ListingEntry)
def uncount_removed_entry(sender, instance, **kwargs):
    """A story left a list (ListingEntry.place) or was deleted: its collection counts one live story less."""
    if instance.counted:
        ListingCount.add({(instance.kind, instance.collection_id): -1})


post_migrate.connect(ensure_roles, dispatch_uid="bulletin.newsroom.ensure_roles")


@receiver(post_migrate, dispatch_uid="bulletin.newsroom.refresh_sqlite_statistics")
def refresh_sqlite_statistics(sender, using="default", plan=None, **kwargs):
    """Gather SQLite's planner statistics again after migrations, if the database had any.

    SQLite rebuilds a table to alter it and drops that table's statistics, but keeps the other tables': with
    the stories' statistics gone and the pages' still there, the planner walked the pages instead of the
    feed_position index, and a News Feed archive page took 21 ms to render instead of 9 (10,000 stories). A
    database that never had statistics is left alone; the feed's indexes serve it as they are.
    """
    if not plan or sender.label != "newsroom" or connections[using].vendor != "sqlite":
        return  # no migration ran; or another app's post_migrate (it comes once per app: once is enough)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("ANALYZE")
