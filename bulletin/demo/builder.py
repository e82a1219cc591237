"""Build the demo newsroom.

Stories are written in bulk: Page rows with tree paths computed here, then the StoryPage rows, bylines, tags,
sources and corrections in batches. One Wagtail ``add_child`` per story ran at about 57 stories/s on the
project's 2-core machine, too slow for the 100,000-story archive the benchmarks need. The bulk rows are the
same rows ``add_child`` writes (checked by the tests with treebeard's ``find_problems``); stories built this
way have no revisions until an editor first saves them, which Wagtail handles.
"""

import dataclasses
import io
import random
import secrets
import time
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, PageLogEntry, Revision, Site

from bulletin.newsroom import roles
from bulletin.newsroom.collection_kinds import AUTHORS, SECTIONS, TAGS
from bulletin.newsroom.models import (
    Author,
    AuthorLink,
    Byline,
    CitedSource,
    Correction,
    ListingEntry,
    NewsFeedPage,
    Section,
    Sequence,
    StoryPage,
    Tag,
)
from bulletin.newsroom.signals import stories_loaded

from . import images, text

BATCH_SIZE = 1000
IMAGE_POOL_SIZE = 24
AUTHOR_COUNT = 12
TAG_COUNT = 30
DEMO_EDITOR = "editor"
#: Link cards point at one of this many most recent stories (keeps memory flat at any archive size).
LINK_CARD_HORIZON = 200
#: The newest stories are the demo editor's, so the dashboard's "Your most recent edits" lists them.
EDITOR_RECENT_STORIES = 5


@dataclasses.dataclass
class BuildResult:
    stories: int
    seconds: float


def has_stories():
    return StoryPage.objects.exists()


def build(stories=300, days=30, seed=42, now=None, progress=False, live_blogs=False):
    """Build a newsroom of ``stories`` stories spread over ``days`` days up to ``now``; same seed, same newsroom."""
    started = time.monotonic()
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    with transaction.atomic():
        feed_page = _news_feed_page()
        sections = _sections()
        tags = _tags(rng)
        pictures = [_image(f"Demo picture {i + 1}", images.feature_image(rng), "jpg") for i in range(IMAGE_POOL_SIZE)]
        authors = _authors(rng)
        editor = _demo_editor(authors)
    _stories(rng, feed_page, stories, days, now, sections, tags, authors, pictures, editor, progress)
    if live_blogs:
        from bulletin.liveblogs import demo as live_blog_demo

        live_blog_demo.build(rng, feed_page, now, sections[0], authors, text.sentence, text.paragraph)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, so feed queries pick the feed_position index
    return BuildResult(stories=stories, seconds=time.monotonic() - started)


def reset_demo_editor():
    """Give the demo editor account a new random password; returns (username, password)."""
    password = secrets.token_urlsafe(12)
    user = _demo_editor(Author.objects.order_by("pk"))
    user.set_password(password)
    user.save()
    roles.assign_role(user, roles.EDITORS)
    return DEMO_EDITOR, password


def _demo_editor(authors):
    """The demo editor's account, signed in as one of ``authors`` (the first), so quick post has a byline."""
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_EDITOR, defaults={"first_name": "Demo", "last_name": "Editor"}
    )
    if not Author.objects.filter(user=user).exists():
        author = next((a for a in authors if a.user_id is None), None) or Author.objects.create(
            name="Demo Editor", slug="demo-editor"
        )
        author.user = user
        author.save(update_fields=["user"])
    return user


def _news_feed_page():
    """The News Feed page as the site's root, replacing Wagtail's welcome page."""
    feed_page = NewsFeedPage.objects.first()
    if feed_page:
        return feed_page
    root = Page.get_first_root_node()
    welcome = root.get_children().exclude(content_type=ContentType.objects.get_for_model(NewsFeedPage)).first()
    if welcome:
        welcome.slug = "welcome-old"
        welcome.save()
    feed_page = root.add_child(instance=NewsFeedPage(title="News Feed", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "127.0.0.1", "port": 8000, "root_page": feed_page, "site_name": "Bulletin"},
    )
    if welcome:
        welcome.delete()
    return NewsFeedPage.objects.get(pk=feed_page.pk)


def _sections():
    # bulk_create sends no post_save: the newsroom is rendered by `bulletin build` once it is complete,
    # not page by page while half of it is missing.
    Section.objects.bulk_create(
        [Section(name=name, slug=slugify(name), description=about) for name, about in text.SECTIONS],
        ignore_conflicts=True,
    )
    return list(Section.objects.filter(slug__in=[slugify(name) for name, _ in text.SECTIONS]).order_by("pk"))


def _tags(rng):
    names = (text.PLACES + text.TOPICS)[:TAG_COUNT]
    Tag.objects.bulk_create([Tag(name=name, slug=slugify(name)) for name in names], ignore_conflicts=True)
    return list(Tag.objects.filter(slug__in=[slugify(name) for name in names]).order_by("pk"))


def _image(title, data, extension):
    image = get_image_model()(title=title)
    image.file = ImageFile(io.BytesIO(data), name=f"{slugify(title)}.{extension}")
    image.save()
    return image


def _authors(rng):
    authors, used = [], set()
    while len(authors) < AUTHOR_COUNT:
        name = text.person_name(rng)
        if name in used:
            continue
        used.add(name)
        job = rng.choice(text.JOB_TITLES)
        authors.append(
            Author(
                name=name,
                slug=slugify(name),
                job_title=job,
                bio=text.bio(rng, name, job),
                avatar=_image(f"Avatar of {name}", images.avatar(name, rng.choice(images.PALETTE)), "png"),
            )
        )
    Author.objects.bulk_create(authors)  # no post_save, as for sections and tags
    AuthorLink.objects.bulk_create(
        [
            AuthorLink(author=author, label="Email", url=f"https://example.org/contact/{author.slug}", sort_order=0)
            for author in authors
        ]
    )
    return authors


def _story_body(rng, lead, earlier_pages, pictures):
    body = [("paragraph", f"<p>{text.paragraph(rng, rng.randint(2, 4), lead=lead)}</p>")]
    for _ in range(rng.randint(2, 5)):
        roll = rng.random()
        if roll < 0.12:
            body.append(("heading", text.story_lines(rng, rng.choice(list(text.BEATS)))[0].split(" in ")[0]))
        elif roll < 0.22:
            picture = rng.choice(pictures)
            body.append(
                (
                    "image",
                    {
                        "image": picture,
                        "alt": "An abstract illustration in the newsroom's colours",
                        "caption": text.sentence(rng),
                        "credit": f"{text.person_name(rng)} / Bulletin",
                    },
                )
            )
        elif roll < 0.32:
            body.append(("quote", {"text": text.paragraph(rng, 1), "attribution": text.person_name(rng)}))
        elif roll < 0.45 and earlier_pages:
            body.append(("link_card", {"story": rng.choice(earlier_pages)}))
        else:
            body.append(("paragraph", f"<p>{text.paragraph(rng, rng.randint(2, 4))}</p>"))
    return body


def _stories(rng, feed_page, count, days, now, sections, tags, authors, pictures, editor, progress):
    story_type = ContentType.objects.get_for_model(StoryPage)
    page_type = ContentType.objects.get_for_model(Page)
    locale = Locale.get_default()
    span = timedelta(days=days).total_seconds()
    times = sorted(now - timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    counters = dict(Sequence.objects.values_list("name", "last_value"))
    first_position = counters.get("feed", 0)
    child_number = feed_page.numchild
    earlier_pages = []
    bar = tqdm(total=count, unit="story", disable=not progress)
    for start in range(0, count, BATCH_SIZE):
        with transaction.atomic():
            batch_times = times[start : start + BATCH_SIZE]
            pages, drafts = [], []
            for published in batch_times:
                child_number += 1
                section = text.pick_section(rng, sections)
                title, summary, lead = text.story_lines(rng, section.name)
                drafts.append((section, summary, lead))
                slug = f"{slugify(title)[:60]}-{child_number}"
                pages.append(
                    Page(
                        title=title,
                        draft_title=title,
                        slug=slug,
                        content_type=story_type,
                        locale=locale,
                        translation_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                        # Treebeard's private MP_Node._get_path: the path of the child numbered child_number, as
                        # add_child() computes it (pinned by tests/demo/test_builder.py).
                        path=Page._get_path(feed_page.path, feed_page.depth + 1, child_number),
                        depth=feed_page.depth + 1,
                        numchild=0,
                        url_path=f"{feed_page.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=published,
                        last_published_at=published,
                        latest_revision_created_at=published,
                    )
                )
            Page.objects.bulk_create(pages)
            stories, bylines, story_tags, sources, corrections, entries = [], [], [], [], [], []

            for offset, (page, published, (section, summary, lead)) in enumerate(
                zip(pages, batch_times, drafts, strict=True)
            ):
                story = StoryPage(
                    page_ptr=page, **{f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields}
                )
                story.summary = summary
                story.body = _story_body(rng, lead, earlier_pages, pictures)
                story.section = section
                if rng.random() < 0.9:
                    story.feature_image = rng.choice(pictures)
                    story.feature_image_alt = "An abstract illustration in the newsroom's colours"
                    story.feature_image_caption = text.sentence(rng)
                    story.feature_image_credit = f"{text.person_name(rng)} / Bulletin"
                if rng.random() < 0.2:
                    story.updated_at = min(now, published + timedelta(minutes=rng.randint(20, 1800)))
                story.feed_position = first_position + start + offset + 1
                story.reading_minutes = story.compute_reading_minutes()
                story.is_editors = start + offset >= count - EDITOR_RECENT_STORIES
                stories.append(story)
                entries.append(_next_entry(counters, SECTIONS.name, story.section.pk, page))
                for order, author in enumerate(rng.sample(authors, 1 if rng.random() < 0.8 else 2)):
                    bylines.append(Byline(page_id=page.pk, author=author, sort_order=order))
                    entries.append(_next_entry(counters, AUTHORS.name, author.pk, page))
                for tag in rng.sample(tags, rng.randint(1, 3)):
                    story_tags.append(StoryPage.tags.through(storypage_id=page.pk, tag_id=tag.pk))
                    entries.append(_next_entry(counters, TAGS.name, tag.pk, page))
                sources.append(
                    CitedSource(
                        page_id=page.pk,
                        name=f"Statement by {rng.choice(text.SOURCES)}",
                        url=f"https://example.org/statements/{page.pk}",
                        sort_order=0,
                    )
                )
                if rng.random() < 0.05:
                    corrections.append(
                        Correction(
                            page_id=page.pk,
                            corrected_at=min(now, published + timedelta(hours=rng.randint(1, 30))),
                            text="An earlier version of this story misstated the name of the region.",
                            sort_order=0,
                        )
                    )
                earlier_pages.append(page)
            del earlier_pages[:-LINK_CARD_HORIZON]
            _insert_story_rows(stories)
            _first_revisions(stories, bylines, story_tags, sources, corrections, story_type, page_type, editor)
            Byline.objects.bulk_create(bylines)
            StoryPage.tags.through.objects.bulk_create(story_tags)
            CitedSource.objects.bulk_create(sources)
            Correction.objects.bulk_create(corrections)
            ListingEntry.objects.bulk_create(entries)
            Page.objects.filter(pk=feed_page.pk).update(numchild=child_number)
            counters["feed"] = first_position + start + len(pages)
            for name, value in counters.items():
                Sequence.objects.update_or_create(name=name, defaults={"last_value": value})
            stories_loaded.send(__name__, story_ids=[page.pk for page in pages])  # the search index, in this batch
        bar.update(len(pages))
    bar.close()


def _first_revisions(stories, bylines, story_tags, sources, corrections, story_type, page_type, editor):
    """Each story's first revision, as its live and latest revision, and the "published" entry of its History,
    as a publish in the admin leaves them; the newest few are the demo editor's edits (the dashboard's list).

    The revision holds what the editor would see: the story's relations are given to it in memory first (the
    bulk rows of this batch are written after), so serializable_data() needs no query per story.
    """
    related = {"bylines": bylines, "sources": sources, "corrections": corrections}
    by_story = {name: {} for name in related}
    for name, rows in related.items():
        for row in rows:
            by_story[name].setdefault(row.page_id, []).append(row)
    tag_ids = {}
    for row in story_tags:
        tag_ids.setdefault(row.storypage_id, []).append(row.tag_id)
    revisions, entries = [], []
    for story in stories:
        for name in related:
            setattr(story, name, by_story[name].get(story.pk, []))
        content = story.serializable_data()
        content["tags"] = tag_ids.get(story.pk, [])
        user = editor if story.is_editors else None
        revisions.append(
            Revision(
                content_type=story_type,
                base_content_type=page_type,
                object_id=str(story.pk),
                created_at=story.first_published_at,
                user=user,
                object_str=story.title,
                content=content,
            )
        )
    Revision.objects.bulk_create(revisions)
    for story, revision in zip(stories, revisions, strict=True):
        actions = ["wagtail.edit", "wagtail.publish"] if story.is_editors else ["wagtail.publish"]
        entries.extend(
            PageLogEntry(
                page_id=story.pk,
                content_type=story_type,
                label=story.title,
                action=action,
                data={},
                timestamp=story.first_published_at,
                user=revision.user,
                revision=revision,
                content_changed=True,
            )
            for action in actions
        )
    PageLogEntry.objects.bulk_create(entries)
    Page.objects.bulk_update(
        [
            Page(pk=story.pk, latest_revision_id=revision.pk, live_revision_id=revision.pk)
            for story, revision in zip(stories, revisions, strict=True)
        ],
        ["latest_revision", "live_revision"],
    )


def _next_entry(counters, kind, collection_id, page):
    """The story's place at the end of a list, numbered like ListingEntry.place numbers it."""
    name = f"{kind}:{collection_id}"
    counters[name] = counters.get(name, 0) + 1
    return ListingEntry(kind=kind, collection_id=collection_id, story_id=page.pk, position=counters[name])


def _insert_story_rows(stories):
    """INSERT the StoryPage table's own rows for Page rows that exist already.

    Django refuses ``bulk_create`` for multi-table inherited models, so this writes the child table directly,
    with each field's own conversion to its database value.
    """
    fields = StoryPage._meta.local_concrete_fields
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(StoryPage._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [[f.get_db_prep_save(getattr(story, f.attname), connection) for f in fields] for story in stories]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
