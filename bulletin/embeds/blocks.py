"""The embed block of a story body: a post's URL, resolved when the story is saved, shown as a card."""

from django.core.exceptions import ValidationError
from wagtail import blocks

from .providers import provider_for, provider_names
from .resolution import EmbedUnavailable, card_for, resolve


class EmbedBlock(blocks.URLBlock):
    """The URL of a post or video of a supported provider (providers.py). Its value is the URL as a string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"The address of a post or video on {provider_names()}.")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and provider_for(value) is None:
            raise ValidationError(
                f"Bulletin embeds posts and videos from {provider_names()}; this address is none of them. "
                "Use a link card for other pages."
            )
        if value:
            try:
                resolve(value)
            except EmbedUnavailable:
                # The story is saved all the same, and the embed shows as a plain link until a later save
                # resolves it; the editor is told after the save (wagtail_hooks.py), where a message can be shown.
                pass
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["card"] = card_for(value)
        return context

    class Meta:
        icon = "media"
        label = "Embed"
        template = "embeds/blocks/embed.html"
