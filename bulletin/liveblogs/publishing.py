"""What a live blog's changes publish: the files to render (through the static publisher's outbox) and the events
its open pages receive (through the live channel, on the blog's own topic).

An entry costs O(1) whatever the size of the blog: the live channel's polling files, the blog's head, the one
numbered page that holds the entry, its "Key events" page when the entry is or was a key event, and what any
story's update touches (the News Feed head and widget, its archive page, its section's, tags' and authors' heads;
the feeds and the news sitemap in a last entry). Older numbered pages never change when entries arrive, so they are
never rendered again (ENTRIES_PER_PAGE in models.py).
"""

from django.template.loader import render_to_string
from django.urls import reverse

from bulletin.live.events import emit, emit_to_topic
from bulletin.live.models import LiveEvent
from bulletin.publishing import plan
from bulletin.publishing.publisher import record

from .models import ENTRIES_PER_PAGE, page_number_of

#: The blog's own feeds of entries, beside its head page.
FEED_FILES = ("rss.xml", "atom.xml", "feed.json")


def feed_urls(blog):
    return [f"{blog.url}{name}" for name in FEED_FILES]


def topic_file(blog):
    return reverse("live_topic", args=[blog.topic])


def _story_plan(blog):
    """What a story's update publishes, less the stories that link to it (an entry changes no headline)."""
    story = plan.for_story(blog, plan.PublishedState.of(blog))
    return story.now, story.next


def entry_changed(blog, positions, key_event):
    """An entry at ``positions`` (its place; a list, to allow for more than one) was posted, edited or deleted."""
    pages = [f"{blog.url}page/{number}/" for number in dict.fromkeys(page_number_of(p) for p in positions)]
    newest = blog.newest_page_number()
    # The first entry of a new numbered page gives the page before it a "Newer updates" link.
    if any(p % ENTRIES_PER_PAGE == 1 and page_number_of(p) == newest and newest > 1 for p in positions):
        pages.append(f"{blog.url}page/{newest - 1}/")
    story_now, story_next = _story_plan(blog)
    # Outbox entries of their own, rendered first. The two polling files that the fronts of `bulletin serve` read
    # events from: readers' open pages get the entry once they are on disk (the fronts look at public/.generation
    # after each outbox entry), without waiting for any page, since the event carries the entry's HTML. Then the
    # head, which the publisher's helper renders meanwhile (publisher._hand_to_helper): a reader who opens the
    # page gets the entry in it.
    live_files, head = [reverse("live_latest"), topic_file(blog)], [blog.url]
    record(f"live blog entry {blog.title[:130]} (events)", plan.Plan(now=live_files, later=[]))
    record(f"live blog entry {blog.title[:130]}", plan.Plan(now=head, later=[]))
    rest = [*pages, *([f"{blog.url}key-events/"] if key_event else []), *story_now]
    record(
        f"live blog entry {blog.title[:130]} (pages)",
        plan.Plan(
            now=[url for url in dict.fromkeys(rest) if url not in live_files + head],
            next=[*feed_urls(blog), *story_next],
            later=[],
        ),
    )


def blog_changed(blog, head=False):
    """The blog itself changed (a new headline, status, key developments…): every page of it shows that. Its key
    events and newest page now (and its head, which a publish renders already as a story's page, when ``head``);
    the older pages in the background."""
    newest = blog.newest_page_number()
    older = [f"{blog.url}page/{number}/" for number in range(1, newest + 1)]
    record(
        f"live blog {blog.title[:150]}",
        plan.Plan(
            now=[*([blog.url] if head else []), f"{blog.url}key-events/", *older[-1:], topic_file(blog)],
            next=feed_urls(blog),
            later=older[:-1],
        ),
    )


def entry_payload(entry):
    return {
        "story": {"id": entry.blog_id},  # a removed blog takes its entries' events with it (live.events)
        "entry": {
            "id": entry.pk,
            "position": entry.position,
            "key": entry.is_key,
            "headline": entry.headline,
            "posted_at": entry.posted_at.isoformat(),
            "updated_at": entry.updated_at.isoformat() if entry.updated_at else None,
        },
        "html": render_to_string("liveblogs/entry.html", {"entry": entry, "page": entry.blog}).strip(),
    }


def emit_entry(entry, created):
    emit_to_topic(entry.blog.topic, LiveEvent.PUBLISHED if created else LiveEvent.UPDATED, entry_payload(entry))


def emit_entry_removal(blog, entry_id):
    """Readers' pages remove the entry; its earlier events are forgotten (as a removed story's are)."""
    emit_to_topic(
        blog.topic,
        LiveEvent.UNPUBLISHED,
        {"story": {"id": blog.pk}, "entry": {"id": entry_id}},
        forget={"payload__entry__id": entry_id},
    )


def key_developments_changed(blog):
    """The list at the top of every page of the blog: those pages, and the open ones live."""
    blog_changed(blog, head=True)
    emit_blog(blog)


def emit_blog(blog):
    """Open pages of the blog learn its status (paused; ended: they stop their live features) and its key
    developments, as the head shows them."""
    emit_to_topic(
        blog.topic,
        "blog",
        {
            "blog": {
                "status": blog.status,
                "ended_at": blog.coverage_ended_at.isoformat() if blog.coverage_ended_at else None,
                "html": render_to_string("liveblogs/includes/blog_status.html", {"page": blog}).strip(),
            }
        },
    )


def emit_feed_item(blog):
    """The blog's item in the News Feed moves its Updated time."""
    emit(LiveEvent.UPDATED, blog)
