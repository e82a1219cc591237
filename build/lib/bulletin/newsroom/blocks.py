"""The blocks a story body is made of. Each block's markup lives in web/templates/blocks/<name>.html."""

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]

# What may survive in a paragraph's HTML, whatever wrote it (the editor, an importer, the API).
ALLOWED_TAGS = {"p", "a", "b", "strong", "i", "em", "ul", "ol", "li", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


def sanitize_html(html):
    """Return ``html`` with every tag and attribute outside the paragraph whitelist removed (nh3/Ammonia)."""
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


class ParagraphBlock(blocks.RichTextBlock):
    """Rich text, sanitized again on output so imported or API-written HTML cannot inject markup."""

    def __init__(self, **kwargs):
        super().__init__(features=PARAGRAPH_FEATURES, **kwargs)

    def render_basic(self, value, context=None):
        return mark_safe(sanitize_html(expand_db_html(value.source)))

    class Meta:
        icon = "pilcrow"
        label = "Paragraph"


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        max_length = 120


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt = blocks.CharBlock(max_length=250, help_text="Describe the image for readers who cannot see it.")
    caption = blocks.CharBlock(required=False, max_length=300)
    credit = blocks.CharBlock(required=False, max_length=120, help_text="Photographer / Agency")

    class Meta:
        icon = "image"
        template = "blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"


class LinkCardBlock(blocks.StructBlock):
    """A card linking to another story (always showing its current headline, summary and image)
    or to an external page (showing what the editor entered)."""

    story = blocks.PageChooserBlock(page_type="newsroom.StoryPage", required=False)
    url = blocks.URLBlock(required=False, label="External URL")
    title = blocks.CharBlock(required=False, max_length=200, help_text="External links only")
    description = blocks.TextBlock(required=False, max_length=400, help_text="External links only")
    image = ImageChooserBlock(required=False, help_text="External links only")
    publisher = blocks.CharBlock(required=False, max_length=120, help_text="External links only")

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("story")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={"story": ValidationError("Choose a story or enter an external URL, not both.")}
            )
        if value.get("url") and not value.get("title"):
            raise blocks.StructBlockValidationError(
                block_errors={"title": ValidationError("An external link card needs a title.")}
            )
        return value

    class Meta:
        icon = "link"
        template = "blocks/link_card.html"


class StoryBodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    link_card = LinkCardBlock()
