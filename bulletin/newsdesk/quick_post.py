"""Quick post: headline, summary, text, section, tags and an optional image, published in one step for breaking
news."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.admin import messages
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.models import Collection

from bulletin.newsroom.models import RESERVED_SLUGS, Author, Byline, NewsFeedPage, Section, StoryPage, Tag
from bulletin.newsroom.tag_input import TagNamesField, save_new_tags

#: The image library's collection for quick-post photos, so they stay apart from the pictures editors file.
QUICK_POST_COLLECTION = "Quick post photos"


class QuickPostForm(forms.Form):
    headline = forms.CharField(max_length=255)
    summary = forms.CharField(
        max_length=StoryPage._meta.get_field("summary").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences for the feed, link cards and search results; not repeated in the story.",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}), help_text="Separate paragraphs with an empty line."
    )
    section = forms.ModelChoiceField(queryset=Section.objects.all())
    author = forms.ModelChoiceField(queryset=Author.objects.all(), help_text="The byline.")
    image_alt = forms.CharField(required=False, max_length=250, label="Image description (alt text)")
    image_caption = forms.CharField(required=False, max_length=300, label="Caption")
    image_credit = forms.CharField(
        required=False, max_length=120, label="Photo credit", help_text="Photographer / Agency"
    )

    field_order = [
        "headline",
        "summary",
        "text",
        "section",
        "tags",
        "author",
        "image",
        "image_alt",
        "image_caption",
        "image_credit",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail's own upload field: the formats in WAGTAILIMAGES_EXTENSIONS, at most WAGTAILIMAGES_MAX_UPLOAD_SIZE
        # bytes and WAGTAILIMAGES_MAX_IMAGE_PIXELS pixels, with errors naming the limit. Built per form because
        # it reads those settings when it is created.
        self.fields["image"] = WagtailImageField(required=False)
        self.fields["tags"] = TagNamesField(Tag)
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not cleaned.get("image_alt"):
            self.add_error("image_alt", "Describe the image for readers who cannot see it.")
        return cleaned


def _paragraphs(text):
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _free_slug(feed_page, headline):
    base = slugify(headline, allow_unicode=True)[:70].strip("-") or "story"
    taken = set(feed_page.get_children().filter(slug__startswith=base).values_list("slug", flat=True)) | RESERVED_SLUGS
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _quick_post_collection():
    root = Collection.get_first_root_node()
    return root.get_children().filter(name=QUICK_POST_COLLECTION).first() or root.add_child(name=QUICK_POST_COLLECTION)


def _upload(user, data):
    """The uploaded photo as a library image titled by what it shows (its alt text, with the credit), not by the
    headline, in the quick-post collection: found again by what it shows, apart from the filed pictures."""
    title = data["image_alt"] if not data.get("image_credit") else f"{data['image_alt']} ({data['image_credit']})"
    image = get_image_model()(
        title=title[:255], file=data["image"], uploaded_by_user=user, collection=_quick_post_collection()
    )
    image.save()
    return image


def publish_quick_post(user, feed_page, data):
    """Create and publish a story from quick-post ``data``; returns the published StoryPage."""
    paragraphs = _paragraphs(data["text"])
    with transaction.atomic():
        story = StoryPage(
            title=data["headline"],
            slug=_free_slug(feed_page, data["headline"]),
            summary=data["summary"],
            body=[("paragraph", f"<p>{escape(p)}</p>") for p in paragraphs],
            section=data["section"],
            feature_image=_upload(user, data) if data.get("image") else None,
            feature_image_alt=data.get("image_alt", ""),
            feature_image_caption=data.get("image_caption", ""),
            feature_image_credit=data.get("image_credit", ""),
            owner=user,
        )
        story.bylines = [Byline(author=data["author"])]
        save_new_tags(data.get("tags", []))
        story.tags = data.get("tags", [])
        feed_page.add_child(instance=story)
        story.save_revision(user=user, log_action=True).publish(user=user)
    return story


def quick_post_view(request):
    feed_page = NewsFeedPage.objects.first()
    if feed_page is None:
        raise PermissionDenied("There is no News Feed page to publish to.")
    if not feed_page.permissions_for_user(request.user).can_publish_subpage():
        raise PermissionDenied("Your role may write drafts but not publish; use “Add story” instead.")
    author = getattr(request.user, "author_profile", None)
    form = QuickPostForm(request.POST or None, request.FILES or None, initial={"author": author})
    if request.method == "POST" and form.is_valid():
        story = publish_quick_post(request.user, feed_page, form.cleaned_data)
        messages.success(
            request,
            f"Published “{story.title}”.",
            buttons=[
                messages.button(story.url, "View live", new_window=True),
            ],
        )
        return redirect("newsdesk_quick_post")
    return render(request, "newsdesk/quick_post.html", {"form": form})
