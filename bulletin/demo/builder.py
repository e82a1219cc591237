"""Build the demo newsroom.

Stories are written in batches by newsroom/bulk.py (one ``add_child`` per story would be too slow for the
100,000-story archive the benchmarks need): the same rows ``add_child`` and a publish in the admin write (checked
by the tests with treebeard's ``find_problems``), a first revision each and the "published" entry of its History.
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
from wagtail.models import Locale, Page, PageLogEntry, Site

from bulletin.newsroom import bulk, roles
from bulletin.newsroom.models import (
    Author,
    AuthorLink,
    Byline,
    CitedSource,
    Correction,
    NewsFeedPage,
    Section,
    StoryPage,
    Tag,
)

from . import images, text

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
    locale = Locale.get_default()
    span = timedelta(days=days).total_seconds()
    times = sorted(now - timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    positions = bulk.Positions()
    child_number = feed_page.numchild
    earlier_pages = []
    bar = tqdm(total=count, unit="story", disable=not progress)
    for start in range(0, count, bulk.BATCH_SIZE):
        with transaction.atomic():
            stories, leads, entries = [], [], []
            # Two passes, in the order the random numbers were always drawn: the same seed, the same newsroom.
            for published in times[start : start + bulk.BATCH_SIZE]:
                child_number += 1
                section = text.pick_section(rng, sections)
                title, summary, lead = text.story_lines(rng, section.name)
                slug = f"{slugify(title)[:60]}-{child_number}"
                story = StoryPage(
                    title=title,
                    draft_title=title,
                    slug=slug,
                    content_type=story_type,
                    locale=locale,
                    translation_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    path=bulk.tree_path(feed_page.path, feed_page.depth, child_number),
                    depth=feed_page.depth + 1,
                    numchild=0,
                    url_path=f"{feed_page.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published,
                    last_published_at=published,
                    latest_revision_created_at=published,
                    summary=summary,
                    section=section,
                )
                stories.append(story)
                leads.append(lead)
            for offset, (story, lead) in enumerate(zip(stories, leads, strict=True)):
                published = story.first_published_at
                story.body = _story_body(rng, lead, earlier_pages, pictures)
                if rng.random() < 0.9:
                    story.feature_image = rng.choice(pictures)
                    story.feature_image_alt = "An abstract illustration in the newsroom's colours"
                    story.feature_image_caption = text.sentence(rng)
                    story.feature_image_credit = f"{text.person_name(rng)} / Bulletin"
                if rng.random() < 0.2:
                    story.updated_at = min(now, published + timedelta(minutes=rng.randint(20, 1800)))
                story.reading_minutes = story.compute_reading_minutes()
                story.is_editors = start + offset >= count - EDITOR_RECENT_STORIES
                story_authors = rng.sample(authors, 1 if rng.random() < 0.8 else 2)
                story.bylines = [Byline(author=author, sort_order=n) for n, author in enumerate(story_authors)]
                story.tags = rng.sample(tags, rng.randint(1, 3))
                story.sources = [
                    CitedSource(
                        name=f"Statement by {rng.choice(text.SOURCES)}",
                        url=f"https://example.org/statements/{story.slug}",
                        sort_order=0,
                    )
                ]
                story.corrections = []
                if rng.random() < 0.05:
                    story.corrections = [
                        Correction(
                            corrected_at=min(now, published + timedelta(hours=rng.randint(1, 30))),
                            text="An earlier version of this story misstated the name of the region.",
                            sort_order=0,
                        )
                    ]
                entries += positions.place(story, story_authors, story.tags.all())
                earlier_pages.append(story)
            del earlier_pages[:-LINK_CARD_HORIZON]
            revisions = bulk.insert_stories(
                stories, entries, revision_user=lambda story: editor if story.is_editors else None
            )
            _history(stories, revisions, story_type)
            Page.objects.filter(pk=feed_page.pk).update(numchild=child_number)
            positions.save()
        bar.update(len(stories))
    bar.close()


def _history(stories, revisions, story_type):
    """The "published" entry of each story's History, as a publish in the admin leaves it; the newest few are
    the demo editor's edits (the dashboard's "Your most recent edits")."""
    entries = []
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
