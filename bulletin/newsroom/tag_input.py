"""The story form's tags: Wagtail's tag widget (type to search, Enter to add, a new name makes a new tag).

Wagtail's widget and its autocomplete view are made for django-taggit's tag models; Bulletin's Tag is a Topic
with its own pages and feeds, so this module gives the widget a form field that reads and writes Tag rows by
name. The autocomplete view over them is in wagtail_hooks.py.
"""

import functools
import operator

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from taggit.utils import edit_string_for_tags, parse_tags
from wagtail.admin.widgets.tags import AdminTagWidget


class StoryTagWidget(AdminTagWidget):
    """Wagtail's tag widget, asking Bulletin's autocomplete view instead of taggit's."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-w-tag-url-value"] = reverse("newsroom_tag_autocomplete")
        return context


class TagNamesField(forms.Field):
    """The names typed in the widget ("Kyiv, Energy") as objects of ``model``, found by name whatever the case;
    a name not yet used becomes an unsaved object, which save_new_tags() saves once the whole form is valid."""

    widget = StoryTagWidget

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Type to find a tag; Enter or a comma adds it. A new name makes a new tag.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # Initial data is a list of tags (ModelForm's model_to_dict); bound data is the text the widget sent.
        return value if value is None or isinstance(value, str) else edit_string_for_tags(value)

    def to_python(self, value):
        if not value:
            return []
        max_length = self.model._meta.get_field("name").max_length
        names = list(dict.fromkeys(name[:max_length] for name in parse_tags(value)))
        if not names:
            return []
        found = self.model.objects.filter(functools.reduce(operator.or_, (Q(name__iexact=n) for n in names)))
        existing = {tag.name.casefold(): tag for tag in found}
        return [existing.get(name.casefold()) or self.model(name=name) for name in names]

    def has_changed(self, initial, data):
        return sorted(tag.name for tag in initial or []) != sorted(tag.name for tag in self.to_python(data))


def save_new_tags(tags):
    """Save the tags TagNamesField made for new names, each with a slug no other tag has."""
    for tag in tags:
        if tag.pk is None:
            base = slugify(tag.name, allow_unicode=True)[:70] or "tag"
            slug, n = base, 1
            while type(tag).objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            tag.slug = slug
            tag.save()
