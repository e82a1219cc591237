"""The composer: posting, editing and deleting a live blog's entries, and its key developments, from one admin page
(views.py), without opening the page form. Every change is one short transaction; publishing follows from the
saved rows (handlers.py).

Why a form of our own rather than Wagtail's page editor: an entry is not a page revision, and a correspondent
posting every minute needs three fields and a button, not the page form of the whole blog.
"""

from django import forms
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape, strip_tags
from wagtail.images.fields import WagtailImageField
from wagtail.rich_text import RichText

from bulletin.newsroom.models import Author

from .models import LiveBlogEntry, LiveBlogPage


class ComposerError(Exception):
    """A change that cannot be made as asked; the message says why and what to do."""


class EntryForm(forms.Form):
    headline = forms.CharField(max_length=200, required=False, help_text="Optional.")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text="Separate paragraphs with an empty line."
    )
    image_alt = forms.CharField(required=False, max_length=250, label="Image description (alt text)")
    is_key = forms.BooleanField(required=False, label="Key event")
    author = forms.ModelChoiceField(queryset=Author.objects.all(), required=False, help_text="The byline.")
    #: The version of the entry the editor started from (editing only): a save from an older one is refused.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["headline", "text", "image", "image_alt", "is_key", "author", "version"]

    def __init__(self, *args, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail's upload field (as quick post): its formats, size and pixel limits, and errors naming them.
        self.fields["image"] = WagtailImageField(required=False)
        self.order_fields(self.field_order)
        self.entry = entry

    def clean(self):
        cleaned = super().clean()
        has_image = bool(cleaned.get("image")) or bool(self.entry and self.entry.image_id)
        if not (cleaned.get("text") or "").strip() and not has_image and not (self.entry and _other_blocks(self.entry)):
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
    """The composer's fields for editing ``entry``: its paragraphs as text."""
    paragraphs = [strip_tags(block.value.source) for block in entry.body if block.block_type == "paragraph"]
    return {
        "headline": entry.headline,
        "text": "\n\n".join(paragraphs),
        "image_alt": entry.image_alt,
        "is_key": entry.is_key,
        "author": entry.author_id,
        "version": entry.version,
    }


def _paragraph_blocks(text):
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return [("paragraph", RichText("<p>" + escape(p).replace("\n", "<br>") + "</p>")) for p in paragraphs]


def _other_blocks(entry):
    """Blocks the composer does not edit (quotes, images, link cards added elsewhere): kept as they are."""
    return [(block.block_type, block.value) for block in entry.body if block.block_type != "paragraph"]


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
            body=_paragraph_blocks(data.get("text", "")),
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
        entry.body = _paragraph_blocks(data.get("text", "")) + _other_blocks(entry)
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
