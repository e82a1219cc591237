"""Stories for tests that need one the demo does not have."""

import itertools

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from bulletin.newsroom.blocks import PARAGRAPH_FEATURES
from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage

_numbers = itertools.count(1)


def publish_story(title=None, *, section=None, authors=None, user=None, **fields):
    """Create a story under the News Feed and publish it the way the admin does (a revision, then publish)."""
    number = next(_numbers)
    story = StoryPage(
        title=title or f"Test story {number}",
        slug=fields.pop("slug", f"test-story-{number}"),
        summary=fields.pop("summary", "A test story."),
        section=section or Section.objects.first(),
        owner=user,
        live=False,
        **fields,  # a draft first, as the admin creates it; publish() makes it live
    )
    story.bylines = [Byline(author=author) for author in (authors or [Author.objects.first()])]
    NewsFeedPage.objects.get().add_child(instance=story)
    story.save_revision(user=user).publish(user=user)
    story.refresh_from_db()
    return story


def story_form_data(story=None, title=None, slug=None, **extra):
    """POST data for the admin story form; for an existing ``story``, its current values and bylines."""
    if story is not None:
        title, slug = title or story.title, slug or story.slug
        bylines = inline_formset(
            [{"author": str(b.author_id), "id": str(b.pk)} for b in story.bylines.all()],
            initial=story.bylines.count(),
            min=1,
        )
        section, summary = story.section_id, story.summary
    else:
        bylines = inline_formset([{"author": str(Author.objects.order_by("pk").first().pk), "id": ""}], min=1)
        title, slug = title or "A story", slug or "a-story"
        section, summary = Section.objects.order_by("pk").first().pk, f"Summary of {title}."
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": summary,
            "body": streamfield([("paragraph", rich_text("<p>The body.</p>", features=PARAGRAPH_FEATURES))]),
            "bylines": bylines,
            "section": str(section),
            "sources": inline_formset([]),
            "corrections": inline_formset([]),
            "comments": inline_formset([]),
            "feature_image": "",
            "feature_image_alt": "",
            "feature_image_caption": "",
            "feature_image_credit": "",
        }
    )
    data.update(extra)
    return data
