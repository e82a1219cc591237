"""Times as feeds, sitemaps and structured data state them: in the site's time zone, to the second, so that
they carry the same offset as the times readers see on the page."""

from django.utils import timezone


def local(value):
    return timezone.localtime(value).replace(microsecond=0)


def w3c(value):
    """ISO 8601 / W3C datetime with the site's UTC offset, e.g. 2026-01-19T18:30:00+02:00."""
    return local(value).isoformat()


def last_modified(story):
    """When readers were last told the story changed: its "Updated" time, else its first publication."""
    return story.updated_at or story.first_published_at
