"""Stories, the News Feed page they belong to, and the authors, sections and tags that group them."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import connection, models
from django.db.models import Count, F
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, TitleFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager, PageQuerySet, PageViewRestriction
from wagtail.search import index

from . import blocks, collection_kinds, render_memo
from .permissions import StoryPermissionTester
from .reading_time import count_words, reading_minutes, text_content
from .tag_input import TagNamesField, save_new_tags

#: First path segments that belong to Bulletin's own URLs, so no story may take them as its slug.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "authors",
        "sections",
        "tags",
        "page",
        "feed",
        "feeds",
        "static",
        "media",
        "live",
        "api",
        "ghost",
        "search",
        "sitemap.xml",
        "sitemaps",
        "robots.txt",
        "favicon.ico",
        "documents",
        "preview",
        "healthz",
    }
)


def default_publication_name():
    return settings.WAGTAIL_SITE_NAME


def default_publication_language():
    """The site's language (BULLETIN_LANGUAGE) as the ISO 639 code news sitemaps want: "en-us" gives "en"."""
    code = settings.LANGUAGE_CODE.lower()
    return code if code in ("zh-cn", "zh-tw") else code.split("-")[0]


@register_setting(icon="site")
class PublicationSettings(BaseGenericSetting):
    """Who the newsroom is, as feeds, sitemaps and link previews name it. One per installation."""

    name = models.CharField(
        "publication name",
        max_length=120,
        default=default_publication_name,
        # Google News matches the sitemap's <news:name> with the name it shows, parentheses left out.
        validators=[RegexValidator(r"^[^()]+$", "Leave out anything in parentheses (Google News does).")],
        help_text="Exactly as readers and Google News know it. Shown in the masthead, feeds and link previews.",
    )
    language = models.CharField(
        max_length=6,
        default=default_publication_language,
        # ISO 639 (two or three letters); Google News allows only zh-cn and zh-tw as regional codes.
        validators=[RegexValidator(r"^(?:[a-z]{2,3}|zh-cn|zh-tw)$", "Use an ISO 639 code such as en or uk.")],
        help_text="The language the newsroom publishes in: an ISO 639 code such as en or uk (zh-cn, zh-tw).",
    )
    x_account = models.CharField(
        "X account",
        max_length=16,
        blank=True,
        validators=[RegexValidator(r"^@[A-Za-z0-9_]{1,15}$", "An X account: @ and up to 15 letters, digits or _.")],
        help_text="The newsroom's account on X, such as @bulletin, named in link previews (twitter:site).",
    )

    panels = [FieldPanel("name"), FieldPanel("language"), FieldPanel("x_account")]

    class Meta:
        verbose_name = "publication"

    def __str__(self):
        return self.name


@register_setting(icon="warning")
class BreakingNews(BaseGenericSetting):
    """The breaking-news banner on every reader page: a short text, an optional link and an optional end time.

    Not part of any page: pages show it from public/live/banner.json and the live channel (docs/publishing.md), so
    setting it rewrites one small file, never the archive.
    """

    text = models.CharField(
        max_length=160,
        blank=True,
        help_text="One short sentence, such as an air-raid alert. Leave it empty to take the banner down.",
    )
    link = models.URLField(
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Optional: the full address of the story or page that tells more (http or https).",
    )
    ends_at = models.DateTimeField(
        "end time",
        null=True,
        blank=True,
        help_text="Optional: the banner takes itself down at this time, on open pages too.",
    )

    panels = [FieldPanel("text"), FieldPanel("link"), FieldPanel("ends_at")]

    class Meta:
        verbose_name = "breaking news"
        verbose_name_plural = "breaking news"

    def __str__(self):
        return self.text or "No breaking news"

    def clean(self):
        super().clean()
        if self.link and not self.text:
            raise ValidationError({"text": "A banner with a link needs a text."})
        if self.text and self.ends_at and self.ends_at <= timezone.now():
            raise ValidationError({"ends_at": "This time has passed: choose a later end time, or none."})

    def showing(self, now=None):
        """Whether readers see the banner at ``now``: it has a text and its end time, if any, is later."""
        now = now or timezone.now()
        return bool(self.text) and (self.ends_at is None or self.ends_at > now)

    def for_readers(self, now=None):
        """What reader pages show at ``now``: {"text", "link", "ends_at"} (ISO 8601), or None when nothing."""
        if not self.showing(now):
            return None
        return {
            "text": self.text,
            "link": self.link,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
        }


class Topic(models.Model):
    """What sections and tags share: a name, a slug for their URLs and a description for their pages."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    description = models.TextField(blank=True, max_length=500)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return collection_kinds.kind_of(self).url(self)


class Section(Topic):
    """A part of the newsroom (War, Politics, Business…); every story has one primary section."""

    class Meta(Topic.Meta):
        pass


class Tag(Topic):
    """A topic that cuts across sections (a place, a person, an event)."""

    class Meta(Topic.Meta):
        pass


class Author(index.Indexed, ClusterableModel):
    """A person who writes for the newsroom, shown in bylines and the author box."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    job_title = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True, max_length=1000)
    avatar = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The admin account this author signs in with, if any.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("job_title"),
        FieldPanel("bio"),
        FieldPanel("avatar"),
        FieldPanel("user"),
        InlinePanel("links", label="Links"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return collection_kinds.kind_of(self).url(self)


class AuthorLink(Orderable):
    author = ParentalKey(Author, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=60, help_text="For example: X, Bluesky, Email")
    url = models.URLField()

    panels = [FieldPanel("label"), FieldPanel("url")]


class NewsFeedPage(Page):
    """The home page: every live story, newest first. Stories are its children."""

    max_count = 1
    subpage_types = ["newsroom.StoryPage", "liveblogs.LiveBlogPage"]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = "News Feed"

    def route(self, request, path_components):
        """Find a story by its slug in one query, with what its page shows first (section, feature image).

        Wagtail's default finds the child page, then loads its specific class: two queries, then two more for
        the section and the image. Every story page is served through here, live and by the publisher.

        The story is found by its path, not through Wagtail's get_children(): this page may come from the Site
        cache (web/middleware.py), whose copy keeps the number of children it had when it was cached, and
        get_children() answers nothing when that number was 0.
        """
        if path_components:
            slug, remaining = path_components[0], path_components[1:]
            preloaded = render_memo.for_request(request).get(render_memo.PRELOADED_STORIES, {})
            story = (None if remaining else preloaded.pop((self.path, slug), None)) or (
                StoryPage.objects.select_related("section", "feature_image")
                .filter(path__startswith=self.path, depth=self.depth + 1, slug=slug)
                .first()
            )
            if story is not None:
                if story.specific_class is not StoryPage:  # a kind of story with pages of its own (a live blog)
                    story = story.specific
                return story.route(request, remaining)
        return super().route(request, path_components)


class StoryQuerySet(PageQuerySet):
    def in_feed(self):
        """Live stories in News Feed order, newest first, served by the feed_position index."""
        return self.live().filter(feed_position__isnull=False).order_by("-feed_position")


class Sequence(models.Model):
    """Counters handed out inside publishing transactions: "feed" numbers the News Feed, "section:<id>",
    "tag:<id>" and "author:<id>" number their lists. Updating a row locks it, so two publishes at once on
    PostgreSQL still get distinct, increasing numbers."""

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.BigIntegerField(default=0)

    @classmethod
    def next_value(cls, name):
        """Return the next number of counter ``name``. Call inside the transaction that uses it."""
        cls.objects.get_or_create(name=name)
        cls.objects.filter(name=name).update(last_value=F("last_value") + 1)
        return cls.objects.values_list("last_value", flat=True).get(name=name)


class StoryForm(WagtailAdminPageForm):
    """Adds the "substantive update" checkbox, which sets the Updated time readers see, and tags typed by name."""

    mark_updated = forms.BooleanField(
        required=False,
        label="Substantive update",
        help_text="Tick when this change adds or changes facts. Readers see “Updated” with the time you save. "
        "Leave it off for typo fixes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"] = TagNamesField(Tag, label="Tags")
        # The schedule dialog's times are in the admin's active time zone (the newsroom's, BULLETIN_TIME_ZONE,
        # unless the editor chose another in their account): say which, since readers' clocks may differ.
        for name in ("go_live_at", "expire_at"):
            if name in self.fields:
                self.fields[name].help_text = f"Time zone: {timezone.get_current_timezone_name()}"

    def clean(self):
        cleaned = super().clean()
        # Required to publish or submit, not for a draft: autosave runs as soon as an image is picked, before
        # the editor has had a chance to describe it (Wagtail defers required fields on a draft save the same way).
        if not self.is_deferred_validation and cleaned.get("feature_image") and not cleaned.get("feature_image_alt"):
            self.add_error("feature_image_alt", "Describe the feature image for readers who cannot see it.")
        return cleaned

    def save(self, commit=True):
        save_new_tags(self.cleaned_data.get("tags", []))
        story = super().save(commit=False)
        if self.cleaned_data.get("mark_updated") and story.first_published_at:
            story.updated_at = timezone.now()
        if commit:
            story.save()
            self.save_m2m()
        return story


class StoryPage(Page):
    """A news story: the unit of the News Feed."""

    summary = models.TextField(
        max_length=400, help_text="One or two sentences for the feed, link cards and search results."
    )
    body = StreamField(blocks.StoryBodyBlock(), blank=True)
    feature_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feature_image_alt = models.CharField("Alt text", max_length=250, blank=True)
    feature_image_caption = models.CharField("Caption", max_length=300, blank=True)
    feature_image_credit = models.CharField("Credit", max_length=120, blank=True, help_text="Photographer / Agency")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="stories")
    tags = ParentalManyToManyField(Tag, blank=True, related_name="stories")
    updated_at = models.DateTimeField(
        "Updated", null=True, blank=True, help_text="Set by ticking “Substantive update”."
    )
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    feed_position = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    # Wagtail's "Copy" copies every field: the copy would hold the original's position (unique: a 500 for the
    # editor). A copy is a new story, placed when it is first published.
    exclude_fields_in_copy = ["feed_position"]
    # The original's address when the story was first published elsewhere (an imported Ghost post's canonical
    # URL, a WordPress post's Yoast or Rank Math one): search engines and the JSON-LD are sent there.
    canonical_url = models.URLField(
        "Canonical URL",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Only for a story first published elsewhere: the full address of the original. Leave empty "
        "for the story's own address.",
    )

    objects = PageManager.from_queryset(StoryQuerySet)()

    parent_page_types = ["newsroom.NewsFeedPage"]
    subpage_types = []
    base_form_class = StoryForm

    content_panels = [
        # Fills the slug from the headline as the editor types, until the story is first published.
        TitleFieldPanel("title", heading="Headline"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("feature_image"),
                FieldPanel("feature_image_alt"),
                FieldRowPanel([FieldPanel("feature_image_caption"), FieldPanel("feature_image_credit")]),
            ],
            heading="Feature image",
        ),
        FieldPanel("body"),
        InlinePanel("bylines", label="Byline", min_num=1),
        MultiFieldPanel(
            # A drop-down, not the snippet chooser's pop-up: a newsroom has a handful of sections.
            [FieldPanel("section", widget=forms.Select), FieldPanel("tags")],
            heading="Section and tags",
        ),
        InlinePanel("sources", label="Cited source"),
        MultiFieldPanel([FieldPanel("mark_updated"), FieldPanel("updated_at", read_only=True)], heading="Updates"),
        InlinePanel("corrections", label="Correction"),
    ]
    # The slug and the canonical URL: a story's <title>, description and link previews come from its headline and
    # summary, and the site has no menus built from pages, so Wagtail's SEO title, search description and "Show
    # in menus" would be fields nothing reads (docs/editing.md).
    promote_panels = [FieldPanel("slug"), FieldPanel("canonical_url")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        verbose_name = "story"
        verbose_name_plural = "stories"
        indexes = [models.Index(fields=["section", "feed_position"], name="story_section_feed_idx")]

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is used by Bulletin’s own pages; choose another slug."})

    def save(self, *args, **kwargs):
        self.reading_minutes = self.compute_reading_minutes()
        if self.pk and self.feed_position is None:
            # The position is given on first publish (newsroom/handlers.py), to the stored row: an object loaded
            # (or a revision made) before then does not know it, and saving it must not take it away, or the next
            # publish would place the story again at the top of the feed (and SQLite's search index, keyed by the
            # position, would hold it twice). One query, only for stories never published or not known so.
            self.feed_position = StoryPage.objects.filter(pk=self.pk).values_list("feed_position", flat=True).first()
        return super().save(*args, **kwargs)

    def compute_reading_minutes(self):
        """Reading time of the headline, summary and body (docs/editing.md: words plus images)."""
        texts = [self.title, self.summary]
        images = 1 if self.feature_image_id else 0
        for block in self.body:
            if block.block_type == "image":
                images += 1
                texts.append(block.value["caption"])
            elif block.block_type == "paragraph":
                texts.append(text_content(block.value.source))
            elif block.block_type == "heading":
                texts.append(block.value)
            elif block.block_type == "quote":
                texts.append(block.value["text"])
        return reading_minutes(sum(count_words(t) for t in texts), images)

    def permissions_for_user(self, user):
        return StoryPermissionTester(user, self)

    @cached_property
    def authors(self):
        """The story's authors in byline order (one query, avatars included; the page shows them twice)."""
        # In a preview the bylines are unsaved objects on the instance; modelcluster then ignores select_related.
        return [byline.author for byline in self.bylines.all().select_related("author__avatar")]

    def get_view_restrictions(self):
        # `bulletin build` found no view restriction anywhere on the site when it loaded this story ahead
        # (publishing/build.py, preload_stories), so none applies here: spare
        # Wagtail's two queries (the ancestors, then their restrictions) on every page of a build.
        if self.__dict__.get("site_has_no_view_restrictions"):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class Byline(Orderable):
    page = ParentalKey(StoryPage, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["page", "author"], name="byline_unique_author")]


class CitedSource(Orderable):
    """A source the story relies on (a statement, a report, another outlet)."""

    page = ParentalKey(StoryPage, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("url")]


class ListingEntry(models.Model):
    """A story's place in the list of a section, tag or author, numbered from the first story it listed.

    Like the News Feed's positions, these numbers never change: page k of a list holds the positions
    ((k-1)·20, k·20], so a new story only reaches the newest page and removing one leaves a gap on its own page.
    ``kind`` is a CollectionKind's name (collection_kinds.py).
    """

    kind = models.CharField(max_length=10, choices=[(kind.name, kind.name) for kind in collection_kinds.KINDS])
    collection_id = models.BigIntegerField()
    story = models.ForeignKey(StoryPage, on_delete=models.CASCADE, related_name="listing_entries")
    position = models.BigIntegerField()
    #: Whether its collection's ListingCount includes it: true while its story is live (settle_counts keeps it so).
    #: An unpublished story keeps its entry (and its place) but is not counted.
    counted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "collection_id", "story"], name="listing_entry_unique_story"),
            models.UniqueConstraint(fields=["kind", "collection_id", "position"], name="listing_entry_unique_position"),
        ]

    @classmethod
    def place(cls, story):
        """Add a published story to the lists it belongs to (keeping any place it has) and remove it from
        lists it left. Runs inside the publish transaction."""
        wanted = {(kind.name, pk) for kind in collection_kinds.KINDS for pk in kind.ids_of(story)}
        existing = {(e.kind, e.collection_id): e for e in cls.objects.filter(story=story)}
        for key in existing.keys() - wanted:
            existing[key].delete()
        for kind, collection_id in sorted(wanted - existing.keys()):
            cls.objects.create(
                kind=kind,
                collection_id=collection_id,
                story=story,
                position=Sequence.next_value(f"{kind}:{collection_id}"),
            )
        cls.settle_counts([story.pk])

    @classmethod
    def settle_counts(cls, story_ids):
        """Count the entries of ``story_ids`` whose story is now live and stop counting those whose story is not,
        in their collections' ListingCount. Only entries whose ``counted`` differs from their story's ``live``
        change, so it costs a few rows per story, whatever the size of the archive, and calling it again changes
        nothing. Runs in the transaction that published, unpublished or loaded the stories."""
        entries = cls.objects.filter(story_id__in=story_ids)
        changes = {}
        for live in (True, False):
            stale = entries.filter(story__live=live, counted=not live)
            for kind, collection_id, number in stale.values_list("kind", "collection_id").annotate(n=Count("id")):
                changes[(kind, collection_id)] = changes.get((kind, collection_id), 0) + (number if live else -number)
            stale.update(counted=live)
        ListingCount.add(changes)


class ListingCount(models.Model):
    """The number of live stories in the list of one section, tag or author, as /sections/ and /authors/ show it.

    Counting the live entries of every collection took one grouped query over the whole archive (6.4 s at 100,000
    stories, bench/README.md); this row is kept in the transaction of every change instead: ListingEntry.place
    and settle_counts when a story is published, unpublished or loaded in bulk, and the removal of a counted entry
    (newsroom/handlers.py), so an index page reads one row per collection.
    """

    kind = models.CharField(max_length=10, choices=[(kind.name, kind.name) for kind in collection_kinds.KINDS])
    collection_id = models.BigIntegerField()
    live_stories = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "collection_id"], name="listing_count_unique")]

    @classmethod
    def add(cls, changes):
        """Add each number of ``changes`` ({(kind name, collection id): +n or -n}) to its collection's count. An
        update of the row locks it, so two publishes at once on PostgreSQL both count."""
        rows = [(kind, pk, number) for (kind, pk), number in changes.items() if number]
        if not rows:
            return
        # One statement for all of them (SQLite 3.24+ and PostgreSQL): an UPDATE per collection took 5% of a bulk
        # import, which counts a few hundred collections per batch. Django's upsert sets, it cannot add.
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (kind, collection_id, live_stories) VALUES (%s, %s, %s)"
                f" ON CONFLICT (kind, collection_id) DO UPDATE SET live_stories = {table}.live_stories"
                " + excluded.live_stories",
                rows,
            )


class Correction(Orderable):
    """A dated note telling readers what was wrong and what changed."""

    page = ParentalKey(StoryPage, on_delete=models.CASCADE, related_name="corrections")
    corrected_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(max_length=1000)

    panels = [FieldPanel("corrected_at"), FieldPanel("text")]
