"""The composer: posting, editing and deleting a live blog's entries, and its key developments, from one admin page
(views.py), without opening the page form. Every change is one short transaction; publishing follows from the
saved rows (handlers.py).

Why a form of our own rather than Wagtail's page editor: an entry is not a page revision, and a correspondent
posting every minute needs a few fields and a button, not the page form of the whole blog. The entry's body is
edited with the story's own blocks (paragraphs, headings, images, quotes, link cards, embeds): Wagtail's StreamField
widget, the one of the page editor, with its scripts (the form's media).
"""

from django import forms
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.blocks import BlockField, StreamValue
from wagtail.images.fields import WagtailImageField
from wagtail.rich_text import RichText

from bulletin.newsroom.models import Author

from .models import LiveBlogEntry, LiveBlogPage


class ComposerError(Exception):
    """A change that cannot be made as asked; the message says why and what to do."""


def _is_blank_paragraph(child):
    return child.block_type == "paragraph" and not strip_tags(child.value.source if child.value else "").strip()


class EntryBodyField(BlockField):
    """The entry's blocks. The composer opens with one empty paragraph to type into; a paragraph left empty is no
    content, not an error, so the editor is told "The entry is empty" rather than "This field is required"."""

    def clean(self, value):
        if isinstance(value, StreamValue):
            kept = [(child.block_type, child.value, child.id) for child in value if not _is_blank_paragraph(child)]
            value = StreamValue(value.stream_block, kept)
        return super().clean(value)


class EntryForm(forms.Form):
    headline = forms.CharField(max_length=200, required=False, help_text="Optional.")
    image_alt = forms.CharField(required=False, max_length=250, label="Image description (alt text)")
    is_key = forms.BooleanField(required=False, label="Key event")
    author = forms.ModelChoiceField(queryset=Author.objects.all(), required=False, help_text="The byline.")
    #: The version of the entry the editor started from (editing only): a save from an older one is refused.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["headline", "body", "image", "image_alt", "is_key", "author", "version"]

    def __init__(self, *args, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"] = EntryBodyField(
            block=LiveBlogEntry._meta.get_field("body").stream_block,
            required=False,
            help_text="Paragraphs, headings, images, quotes, link cards and embeds, as in a story.",
        )
        # Wagtail's upload field (as quick post): its formats, size and pixel limits, and errors naming them.
        self.fields["image"] = WagtailImageField(required=False, help_text="Optional: a picture above the entry.")
        self.order_fields(self.field_order)
        self.entry = entry

    def clean(self):
        cleaned = super().clean()
        has_image = bool(cleaned.get("image")) or bool(self.entry and self.entry.image_id)
        if "body" in cleaned and not len(cleaned["body"]) and not has_image:
            raise forms.ValidationError("The entry is empty: write its text (or add an image) before posting.")
        if cleaned.get("image") and not cleaned.get("image_alt"):
            self.add_error("image_alt", "Describe the image for readers who cannot see it.")
        return cleaned


class KeyDevelopmentsForm(forms.ModelForm):
    class Meta:
        model = LiveBlogPage
        fields = ["key_developments"]
        widgets = {"key_developments": forms.Textarea(attrs={"rows": 5})}


def initial_for(entry):
    """The composer's fields for editing ``entry``, or for a new one (``entry`` None: one empty paragraph)."""
    if entry is None:
        return {"body": StreamValue(LiveBlogEntry._meta.get_field("body").stream_block, [("paragraph", RichText(""))])}
    return {
        "headline": entry.headline,
        "body": entry.body,
        "image_alt": entry.image_alt,
        "is_key": entry.is_key,
        "author": entry.author_id,
        "version": entry.version,
    }


def _image(data, uploaded_by):
    from wagtail.images import get_image_model

    upload = data.get("image")
    if not upload:
        return None
    return get_image_model().objects.create(
        title=(data.get("image_alt") or "Live blog image")[:255], file=upload, uploaded_by_user=uploaded_by
    )


def _check_open(blog):
    if blog.status == LiveBlogPage.ENDED:
        raise ComposerError(
            "This live blog has ended: it takes no new entries. Set its status back to Live in the page form, or "
            "start a new live blog. Your entry is kept in the form below."
        )


def add_entry(blog, data, user):
    """Post a new entry (``data``: an EntryForm's cleaned_data) to ``blog``; returns it."""
    with transaction.atomic():
        blog = LiveBlogPage.objects.get(pk=blog.pk)  # the status as it is now, not when the form was opened
        _check_open(blog)
        author = data.get("author") or getattr(user, "author_profile", None)
        entry = LiveBlogEntry(
            blog=blog,
            headline=data.get("headline", ""),
            body=data.get("body") or [],
            image=_image(data, user),
            image_alt=data.get("image_alt", ""),
            is_key=data.get("is_key", False),
            author=author,
        )
        entry.save()
    return entry


def edit_entry(entry, data, user):
    """Change ``entry`` as ``data`` says, if nobody saved it since the editor opened it (``data["version"]``)."""
    with transaction.atomic():
        # One conditional UPDATE decides between two editors saving at once, on SQLite and PostgreSQL alike: the
        # second one's WHERE no longer matches.
        claimed = LiveBlogEntry.objects.filter(pk=entry.pk, version=data.get("version")).update(
            version=F("version") + 1
        )
        if not claimed:
            current = LiveBlogEntry.objects.filter(pk=entry.pk).first()
            if current is None:
                raise ComposerError("This entry was deleted by another editor. Your text is kept below.")
            raise ComposerError(
                "Another editor saved this entry while you were editing it. Your text is kept below, and theirs "
                "is shown beside it: compare, then save again to replace theirs with yours."
            )
        entry = LiveBlogEntry.objects.get(pk=entry.pk)
        new_image = _image(data, user)
        entry.headline = data.get("headline", "")
        entry.body = data.get("body") or []
        if new_image:
            entry.image = new_image
        entry.image_alt = data.get("image_alt", "")
        entry.is_key = data.get("is_key", False)
        entry.author = data.get("author") or entry.author
        entry.updated_at = timezone.now()
        entry.save()
    return entry


def delete_entry(entry):
    with transaction.atomic():
        LiveBlogEntry.objects.filter(pk=entry.pk).delete()
