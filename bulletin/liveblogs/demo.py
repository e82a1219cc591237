"""The demo's live blogs (called by demo/builder.py): one that ended, about 200 entries over a day, and one that
is live with entries from the last hours. Both are published as an editor publishes them, so they are items of
the News Feed; their entries are written in bulk (no signals), like the demo's stories."""

from datetime import timedelta

from django.db import transaction
from django.utils.html import escape
from wagtail.rich_text import RichText

from bulletin.newsroom.models import Byline, Sequence

from .models import LiveBlogEntry, LiveBlogPage

ENDED_ENTRIES, LIVE_ENTRIES = 200, 24
#: One entry in this many is a key event.
KEY_EVERY = 12


def build(rng, feed_page, now, section, authors, sentence, paragraph):
    """``sentence(rng)`` and ``paragraph(rng)`` write the text (demo/text.py)."""
    with transaction.atomic():
        live = _blog(
            feed_page, "Live: the overnight attack and its aftermath", "live-overnight-attack", section, authors
        )
        ended = _blog(feed_page, "As it happened: the summit in Vilnius", "summit-vilnius-live", section, authors)
        _entries(rng, live, now - timedelta(hours=3), now, LIVE_ENTRIES, authors, sentence, paragraph)
        _entries(
            rng, ended, now - timedelta(days=2), now - timedelta(days=1), ENDED_ENTRIES, authors, sentence, paragraph
        )
        live.key_developments = "\n".join(sentence(rng) for _ in range(3))
        live.save_revision().publish()
        ended.status, ended.next_blog = LiveBlogPage.ENDED, live
        ended.key_developments = "\n".join(sentence(rng) for _ in range(4))
        ended.save_revision().publish()
        # Coverage started with the first entry, not when the demo was built.
        LiveBlogPage.objects.filter(pk=live.pk).update(first_published_at=now - timedelta(hours=3))
        LiveBlogPage.objects.filter(pk=ended.pk).update(
            first_published_at=now - timedelta(days=2), coverage_ended_at=now - timedelta(days=1)
        )
    return [live, ended]


def _blog(feed_page, title, slug, section, authors):
    blog = LiveBlogPage(title=title, slug=slug, summary="The latest, as it happens.", section=section, live=False)
    blog.bylines = [Byline(author=author) for author in authors[:2]]
    feed_page.add_child(instance=blog)
    blog.save_revision().publish()
    return blog


def _entries(rng, blog, start, end, count, authors, sentence, paragraph):
    step = (end - start) / count
    LiveBlogEntry.objects.bulk_create(
        LiveBlogEntry(
            blog=blog,
            position=n,
            posted_at=start + step * n,
            headline=sentence(rng)[:200] if n % 4 == 0 else "",
            body=[("paragraph", RichText(f"<p>{escape(paragraph(rng, 2))}</p>"))],
            author=authors[n % len(authors)],
            is_key=n % KEY_EVERY == 0,
        )
        for n in range(1, count + 1)
    )
    Sequence.objects.update_or_create(name=f"liveblog:{blog.pk}", defaults={"last_value": count})
