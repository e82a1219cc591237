"""Writing many stories at once: the demo builder, the Ghost and WordPress importers and `bulletin import bulletin`.

One Wagtail ``add_child`` and ``save_revision`` per story runs at about 57 stories/s on the project's 2-core
machine. ``insert_stories`` writes the same rows in a few statements per batch: the Page rows (tree paths given by
the caller, as ``add_child`` computes them; ``tree_path``), each story's own rows, its bylines, tags, sources and
corrections, and a first revision as its latest (and, if live, live) revision, without Django's or Wagtail's save
signals: the newsroom is rendered by `bulletin build` once it is complete, not page by page while half of it is
missing. What those signals would keep up to date is done here or by the caller: search indexing is the
``stories_loaded`` signal, sent per batch.
"""

import collections

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import AutoField
from django.utils import timezone
from wagtail.models import Page, Revision
from wagtail.models.pages import COMMENTS_RELATION_NAME

from .collection_kinds import AUTHORS, SECTIONS, TAGS
from .models import ListingEntry, Sequence, StoryPage
from .signals import stories_loaded

#: Stories written per batch (and per search-indexing call): memory holds one batch.
BATCH_SIZE = 500
#: A story's rows of its own, besides the story: modelcluster child relations held in memory until written.
CHILD_RELATIONS = ("bylines", "sources", "corrections")


def tree_path(parent_path, parent_depth, number):
    """The tree path of the child numbered ``number`` of the page at ``parent_path``, as treebeard's add_child()
    computes it (its private MP_Node._get_path; pinned by tests/demo/test_builder.py)."""
    return Page._get_path(parent_path, parent_depth + 1, number)


def insert_rows(model, instances):
    """INSERT ``model``'s own table rows for ``instances`` with each field's conversion to its database value.

    Their ids are written if they have them; if none has, the column is left out and the database numbers the
    rows (not read back). Foreign keys to objects written just before (``Byline(page=story)``) take those objects'
    ids, and auto_now(_add) times left empty are now. bulk_create would overwrite the given times of auto_now(_add)
    fields (an image's or a live event's, which an export carries), refuses multi-table children such as
    StoryPage, and costs several times as much per row.
    """
    if not instances:
        return
    fields = model._meta.local_concrete_fields
    if all(instance.pk is None for instance in instances):
        fields = [field for field in fields if not isinstance(field, AutoField)]
    relations = [field for field in fields if field.is_relation]
    stamped = [field for field in fields if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)]
    for instance in instances:
        for field in relations:
            if getattr(instance, field.attname) is None and field.get_cached_value(instance, None) is not None:
                setattr(instance, field.attname, field.get_cached_value(instance).pk)
        for field in stamped:
            if getattr(instance, field.attname) is None:
                field.pre_save(instance, add=True)  # now, as save() would have set it
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    converters = [(field.attname, _database_value(field)) for field in fields]
    rows = [[convert(getattr(instance, attname)) for attname, convert in converters] for instance in instances]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


#: Kinds of field whose database value is the Python value itself when it has the type named here: Django's
#: conversion would call str(), int() or bool() on it and return it. Skipping that chain of calls for the 7 million
#: values of a 100,000-post import saved a tenth of its time (bench/README.md).
PLAIN_VALUES = {
    "AutoField": int,
    "BigAutoField": int,
    "BigIntegerField": int,
    "BooleanField": bool,
    "CharField": str,
    "ForeignKey": int,
    "IntegerField": int,
    "OneToOneField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "SlugField": str,
    "SmallIntegerField": int,
    "TextField": str,
}


def _database_value(field):
    """A function from a value of ``field`` to what the database is given for it, as Django's save would."""
    plain = PLAIN_VALUES.get(field.get_internal_type())

    def convert(value):
        if value is None or type(value) is plain:
            return value
        return field.get_db_prep_save(value, connection)

    return convert


def insert_stories(stories, rows=(), index=True, revision_user=None):
    """Write ``stories`` and return their first revisions, in order.

    Each story (a StoryPage, or a kind of story such as a live blog) has its Page fields set, tree path, depth and
    url_path included, and its bylines, tags, sources and corrections in memory (``story.bylines = [...]``, each
    with its sort_order; an empty list for none, or they would be read from the database). A story without an id
    gets the one the database gives its Page row, read back by its (unique) tree path. ``rows`` are more rows of
    these stories (listing entries), written after them. ``revision_user(story)`` names the user of a story's
    revision; a scheduled story's revision is approved for its go-live time, so the scheduler publishes it. With
    ``index``, the stories are indexed for search (``stories_loaded``) in the same transaction. The parent pages'
    numchild is the caller's to update.
    """
    if not stories:
        return []
    new = [story for story in stories if story.pk is None]
    insert_rows(Page, stories)
    if new:
        ids = dict(Page.objects.filter(path__in=[story.path for story in new]).values_list("path", "pk"))
        for story in new:
            story.id = story.page_ptr_id = ids[story.path]
    for model in _story_models(stories):
        insert_rows(model, [story for story in stories if isinstance(story, model)])
    children = {name: [] for name in CHILD_RELATIONS}
    tags = []
    for story in stories:
        for name in CHILD_RELATIONS:
            for child in getattr(story, name).all():
                child.page_id = story.pk
                children[name].append(child)
        tags += [StoryPage.tags.through(storypage_id=story.pk, tag_id=tag.pk) for tag in story.tags.all()]
        # No comments: read from memory when the revision is serialised (no query per story).
        setattr(story, COMMENTS_RELATION_NAME, [])
    for name, instances in children.items():
        model = getattr(StoryPage, name).rel.related_model
        insert_rows(model, instances)
        # Their ids, which the revision holds as a save in Wagtail would: each story's rows were numbered in order.
        ids = collections.defaultdict(list)
        for page_id, pk in (
            model.objects.filter(page_id__in=[s.pk for s in stories]).order_by("id").values_list("page_id", "id")
        ):
            ids[page_id].append(pk)
        for story in stories:
            for child, pk in zip(getattr(story, name).all(), ids[story.pk], strict=True):
                child.pk = pk
    insert_rows(StoryPage.tags.through, tags)
    for model in dict.fromkeys(type(row) for row in rows):
        insert_rows(model, [row for row in rows if type(row) is model])
    page_type, now = ContentType.objects.get_for_model(Page), timezone.now()
    revisions = [
        Revision(
            content_type_id=story.content_type_id,
            base_content_type=page_type,
            object_id=str(story.pk),
            created_at=story.latest_revision_created_at or story.last_published_at or story.first_published_at or now,
            user=revision_user(story) if revision_user else None,
            object_str=story.title,
            content=story.serializable_data(),
            approved_go_live_at=story.go_live_at if story.go_live_at and not story.live else None,
        )
        for story in stories
    ]
    Revision.objects.bulk_create(revisions)
    for story, revision in zip(stories, revisions, strict=True):
        story.latest_revision_id = revision.pk
        story.live_revision_id = revision.pk if story.live else None
    page = connection.ops.quote_name(Page._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {page} SET latest_revision_id = %s, live_revision_id = %s WHERE id = %s",
            [(story.latest_revision_id, story.live_revision_id, story.pk) for story in stories],
        )
    if index:
        stories_loaded.send(__name__, story_ids=[story.pk for story in stories])
    return revisions


def _story_models(stories):
    """StoryPage and the kinds of story below it that ``stories`` hold, parents first: one table each."""
    models = {}
    for kind in dict.fromkeys(type(story) for story in stories):
        for model in [*reversed(kind._meta.get_parent_list()), kind]:
            if issubclass(model, StoryPage):
                models[model] = None
    return list(models)


class Positions:
    """The next places of stories at the end of the News Feed and of their section's, authors' and tags' lists
    (the Sequence counters, as ListingEntry.place numbers them), counted in memory during a bulk write."""

    def __init__(self):
        self.counters = dict(Sequence.objects.values_list("name", "last_value"))

    def next(self, name):
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def place(self, story, authors, tags):
        """Give the live ``story`` the next feed position; return its listing entries (section, authors, tags)."""
        story.feed_position = self.next("feed")
        return [
            ListingEntry(kind=kind.name, collection_id=pk, story=story, position=self.next(f"{kind.name}:{pk}"))
            for kind, ids in (
                (SECTIONS, [story.section_id]),
                (AUTHORS, [a.pk for a in authors]),
                (TAGS, [t.pk for t in tags]),
            )
            for pk in ids
        ]

    def save(self):
        """Write the counters (one statement), inside the transaction that used them."""
        Sequence.objects.bulk_create(
            [Sequence(name=name, last_value=value) for name, value in self.counters.items()],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["last_value"],
        )
