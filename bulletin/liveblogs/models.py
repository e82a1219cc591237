"""A live blog: one developing event covered in short timestamped entries, newest first (docs/liveblogs.md).

A live blog *is* a story (multi-table inheritance from StoryPage): it has the headline, summary, section,
bylines, feature image, feed position and listings of one, so the News Feed, section pages, site feeds,
sitemaps and search show it as one item with no code of their own. What it adds is a status, a "Key
developments" list, and its entries, which are plain rows (not pages): an editor posts one in a second from the
composer (views.py) without a page revision, and each entry publishes on its own (handlers.py).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField

from bulletin.live.models import LiveEvent
from bulletin.newsroom import blocks
from bulletin.newsroom.models import Author, Sequence, StoryPage

#: Entries on the head page and on each numbered older page. Page k holds the entries whose position is in
#: ((k-1)·ENTRIES_PER_PAGE, k·ENTRIES_PER_PAGE], counted from the first entry, so an older page never changes
#: when entries arrive (the News Feed's rule, newsroom/listings.py).
ENTRIES_PER_PAGE = 20
#: Key events shown on the "Key events" page, newest first.
KEY_EVENTS_SHOWN = 100


def page_number_of(position):
    return (position - 1) // ENTRIES_PER_PAGE + 1


class LiveBlogPage(RoutablePageMixin, StoryPage):
    """A story that is updated minute by minute: its entries are the body readers follow."""

    LIVE, PAUSED, ENDED = "live", "paused", "ended"
    STATUSES = [(LIVE, "Live"), (PAUSED, "Paused"), (ENDED, "Ended")]

    status = models.CharField(
        max_length=6,
        choices=STATUSES,
        default=LIVE,
        help_text="Live: readers get new entries as they are posted. Paused: the page says coverage is paused. "
        "Ended: no more entries; the page says when coverage ended.",
    )
    coverage_ended_at = models.DateTimeField(
        "Coverage ended", null=True, blank=True, help_text="Set when the status is first saved as Ended."
    )
    key_developments = models.TextField(
        blank=True,
        max_length=2000,
        help_text="A few short points readers see at the top, one a line. Editable from the live blog's composer.",
    )
    next_blog = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Once ended, the page sends readers to this one (the next live blog on the event).",
    )

    parent_page_types = ["newsroom.NewsFeedPage"]
    subpage_types = []

    content_panels = StoryPage.content_panels[:2] + [
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("key_developments"),
                PageChooserPanel("next_blog", "liveblogs.LiveBlogPage"),
            ],
            heading="Live coverage",
        ),
        *StoryPage.content_panels[2:],
    ]

    class Meta:
        verbose_name = "live blog"

    def clean(self):
        super().clean()
        if self.next_blog_id and self.next_blog_id == self.pk:
            raise ValidationError({"next_blog": "A live blog cannot send readers to itself."})

    def save(self, *args, **kwargs):
        if self.status == self.ENDED and self.coverage_ended_at is None:
            self.coverage_ended_at = timezone.now()
        elif self.status != self.ENDED:
            self.coverage_ended_at = None
        return super().save(*args, **kwargs)

    @property
    def is_live(self):
        return self.status == self.LIVE

    @property
    def topic(self):
        """The live channel's topic of this blog: /live/?topic=… streams only its events."""
        return f"liveblog-{self.pk}"

    @property
    def key_development_lines(self):
        return [line.strip() for line in self.key_developments.splitlines() if line.strip()]

    def published_entries(self):
        return self.entries.select_related("author", "image").order_by("-position")

    def newest_page_number(self):
        top = self.entries.aggregate(top=models.Max("position"))["top"]
        return page_number_of(top) if top else 0

    # Reader pages (templates in liveblogs/, rendered by the reader site's base page).
    @path("")
    def head(self, request):
        entries = list(self.published_entries()[:ENTRIES_PER_PAGE])
        older = page_number_of(entries[-1].position - 1) if entries and entries[-1].position > 1 else None
        # The stream resumes after the blog's own newest event, not the site's: the head is then rendered again
        # only when the blog changes, and never goes stale when a story elsewhere is published.
        last_event = LiveEvent.objects.filter(payload__topic=self.topic).order_by("-id").values_list("id", flat=True)
        return self.render(
            request,
            context_overrides={
                "entries": entries,
                "older_page": older,
                "is_head": True,
                "topic_last_event": last_event.first() or 0,
            },
        )

    @path("page/<int:number>/")
    def older_page(self, request, number):
        newest = self.newest_page_number()
        if not 1 <= number <= newest:
            raise Http404("No such page of this live blog.")
        low, high = (number - 1) * ENTRIES_PER_PAGE, number * ENTRIES_PER_PAGE
        entries = list(self.published_entries().filter(position__gt=low, position__lte=high))
        return self.render(
            request,
            context_overrides={
                "entries": entries,
                "page_number": number,
                "older_page": number - 1 if number > 1 else None,
                "newer_page": number + 1 if number < newest else None,
            },
        )

    @path("key-events/")
    def key_events(self, request):
        entries = list(self.published_entries().filter(is_key=True)[:KEY_EVENTS_SHOWN])
        return self.render(request, context_overrides={"entries": entries, "key_events_only": True})

    @path("entries/<int:entry_id>/")
    def entry_permalink(self, request, entry_id):
        """A share link that never breaks: to the entry's anchor on the head page while it is there, else on the
        numbered page that holds it for good."""
        entry = get_object_or_404(self.entries, pk=entry_id)
        return redirect(f"{entry.page_url()}#{entry.anchor}")


class LiveBlogEntry(models.Model):
    """One timestamped update of a live blog. Saving or deleting one publishes it (handlers.py)."""

    blog = models.ForeignKey(LiveBlogPage, on_delete=models.CASCADE, related_name="entries")
    #: 1, 2, 3… in the order entries were posted to this blog; never reused. Fixes the numbered page it is on.
    position = models.PositiveIntegerField(editable=False)
    posted_at = models.DateTimeField(default=timezone.now, db_index=True)
    headline = models.CharField(max_length=200, blank=True)
    body = StreamField(blocks.StoryBodyBlock(), blank=True)
    image = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    image_alt = models.CharField("Alt text", max_length=250, blank=True)
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_key = models.BooleanField("Key event", default=False)
    #: Set when an editor changes the entry after posting it: readers see "Updated".
    updated_at = models.DateTimeField(null=True, blank=True)
    #: Raised by every save: an editor's form carries the version it started from, and a save from an older one
    #: is refused (two editors editing the same entry, entries.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "live blog entry"
        verbose_name_plural = "live blog entries"
        constraints = [models.UniqueConstraint(fields=["blog", "position"], name="liveblog_entry_unique_position")]
        indexes = [models.Index(fields=["blog", "is_key", "position"], name="liveblog_entry_key_idx")]

    def __str__(self):
        return self.headline or f"Entry {self.position}"

    def save(self, *args, **kwargs):
        if self.position is None:
            self.position = Sequence.next_value(f"liveblog:{self.blog_id}")
        return super().save(*args, **kwargs)

    @property
    def anchor(self):
        return f"entry-{self.pk}"

    def page_url(self):
        """The head page while the entry is among the newest, else its numbered page."""
        newer = LiveBlogEntry.objects.filter(blog_id=self.blog_id, position__gt=self.position).count()
        if newer < ENTRIES_PER_PAGE:
            return self.blog.url
        return self.numbered_page_url()

    def numbered_page_url(self):
        return f"{self.blog.url}page/{page_number_of(self.position)}/"

    def permalink(self):
        return f"{self.blog.url}entries/{self.pk}/"
