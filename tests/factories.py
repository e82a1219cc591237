"""Stories for tests that need one the demo does not have."""

import itertools

from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section, StoryPage

_numbers = itertools.count(1)


def publish_story(title=None, *, section=None, authors=None, user=None, **fields):
    """Create a story under the News Feed and publish it the way the admin does (a revision, then publish)."""
    number = next(_numbers)
    story = StoryPage(
        title=title or f"Test story {number}", slug=fields.pop("slug", f"test-story-{number}"),
        summary=fields.pop("summary", "A test story."), section=section or Section.objects.first(), owner=user,
        live=False, **fields,  # a draft first, as the admin creates it; publish() makes it live
    )
    story.bylines = [Byline(author=author) for author in (authors or [Author.objects.first()])]
    NewsFeedPage.objects.get().add_child(instance=story)
    story.save_revision(user=user).publish(user=user)
    story.refresh_from_db()
    return story
