"""Tell the editor, after a save, which embeds of the page could not be resolved (they show as plain links)."""

from django.contrib import messages
from wagtail import hooks
from wagtail.fields import StreamField

from .blocks import EmbedBlock
from .resolution import card_for, failure_reason


def embed_urls(page):
    """The URLs of the embed blocks in the page's StreamFields, in order."""
    urls = []
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            urls += [child.value for child in getattr(page, field.name) if isinstance(child.block, EmbedBlock)]
    return urls


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_of_unresolved_embeds(request, page):
    # Autosave asks for JSON and shows no messages: the editor hears about it on their own save.
    if not request.accepts("text/html"):
        return
    for url in embed_urls(page.specific):
        card = card_for(url)
        if card is not None and not card.resolved:
            reason = failure_reason(url) or "no answer"
            messages.warning(
                request,
                f"The embed {url} could not be loaded from {card.provider.name} ({reason}). The story is saved "
                "with a plain link to it; save again later to try again.",
            )
