"""Quick post: headline, text, section and an optional image, published in one step for breaking news."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.text import Truncator, slugify
from wagtail.admin import messages
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField

from bulletin.newsroom.models import RESERVED_SLUGS, Author, Byline, NewsFeedPage, Section, StoryPage

SUMMARY_MAX_CHARS = 300


class QuickPostForm(forms.Form):
    headline = forms.CharField(max_length=255)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}), help_text="Separate paragraphs with an empty line."
    )
    section = forms.ModelChoiceField(queryset=Section.objects.all())
    author = forms.ModelChoiceField(queryset=Author.objects.all(), help_text="The byline.")
    image_alt = forms.CharField(required=False, max_length=250, label="Image description (alt text)")
    image_credit = forms.CharField(
        required=False, max_length=120, label="Photo credit", help_text="Photographer / Agency"
    )

    field_order = ["headline", "text", "section", "author", "image", "image_alt", "image_credit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail's own upload field: the formats in WAGTAILIMAGES_EXTENSIONS, at most WAGTAILIMAGES_MAX_UPLOAD_SIZE
        # bytes and WAGTAILIMAGES_MAX_IMAGE_PIXELS pixels, with errors naming the limit. Built per form because
        # it reads those settings when it is created.
        self.fields["image"] = WagtailImageField(required=False)
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


def publish_quick_post(user, feed_page, data):
    """Create and publish a story from quick-post ``data``; returns the published StoryPage."""
    paragraphs = _paragraphs(data["text"])
    with transaction.atomic():
        feature_image = None
        if data.get("image"):
            feature_image = get_image_model()(title=data["headline"][:255], file=data["image"], uploaded_by_user=user)
            feature_image.save()
        story = StoryPage(
            title=data["headline"],
            slug=_free_slug(feed_page, data["headline"]),
            summary=Truncator(paragraphs[0]).chars(SUMMARY_MAX_CHARS),
            body=[("paragraph", f"<p>{escape(p)}</p>") for p in paragraphs],
            section=data["section"],
            feature_image=feature_image,
            feature_image_alt=data.get("image_alt", ""),
            feature_image_credit=data.get("image_credit", ""),
            owner=user,
        )
        story.bylines = [Byline(author=data["author"])]
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
