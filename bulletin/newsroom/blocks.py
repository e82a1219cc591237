"""The blocks a story body is made of. Each block's markup lives in templates/newsroom/blocks/<name>.html."""

import contextlib
import contextvars
import copy

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from wagtail import blocks
from wagtail.images import blocks as image_blocks
from wagtail.rich_text import expand_db_html

from bulletin.embeds.blocks import EmbedBlock

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]

# What may survive in a paragraph's HTML, whatever wrote it (the editor, an importer, the API).
ALLOWED_TAGS = {"p", "a", "b", "strong", "i", "em", "ul", "ol", "li", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
#: The only URL schemes a link in a story may use: rich text, link cards, sources and author links alike.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_html(html):
    """Return ``html`` with every tag and attribute outside the paragraph whitelist removed (nh3/Ammonia)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
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
        template = "newsroom/blocks/heading.html"
        max_length = 120


#: Images already loaded, by id, inside reusing_images(); None outside.
_loaded_images = contextvars.ContextVar("loaded_images", default=None)

#: Images kept by reusing_images() before it starts over, so a large archive cannot fill the memory.
REUSED_IMAGES_MAX = 5_000


@contextlib.contextmanager
def reusing_images(images):
    """Within the block, image choosers take images from the dict ``images`` (id → image), and add those they load.

    For `bulletin build`: thousands of story bodies drawing on far fewer pictures, whose loading (with their
    renditions) body by body took a seventh of a story page's time. The caller owns ``images`` and decides how
    long it may be trusted: a build trusts it for the build, as it trusts the stories it loaded.
    """
    if len(images) > REUSED_IMAGES_MAX:
        images.clear()
    token = _loaded_images.set(images)
    try:
        yield
    finally:
        _loaded_images.reset(token)


class ImageChooserBlock(image_blocks.ImageChooserBlock):
    """Wagtail's image chooser, which takes already loaded images inside reusing_images()."""

    def bulk_to_python(self, values):
        images = _loaded_images.get()
        if images is None:
            return super().bulk_to_python(values)
        missing = {value for value in values if value is not None and value not in images}
        if missing:
            images.update(self.model_class.objects.prefetch_related("renditions").in_bulk(missing))
        # A copy per use, as Wagtail gives: a template may set attributes on the image it shows.
        return [copy.copy(images[value]) if value in images else None for value in values]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt = blocks.CharBlock(max_length=250, help_text="Describe the image for readers who cannot see it.")
    caption = blocks.CharBlock(required=False, max_length=300)
    credit = blocks.CharBlock(required=False, max_length=120, help_text="Photographer / Agency")

    class Meta:
        icon = "image"
        template = "newsroom/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "newsroom/blocks/quote.html"


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
        template = "newsroom/blocks/link_card.html"


class StoryBodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    link_card = LinkCardBlock()
    embed = EmbedBlock()
