"""{% embed_player_script body %}: the click-to-play script, on the pages whose body has an embed only."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from ..blocks import EmbedBlock

register = template.Library()


@register.simple_tag
def embed_player_script(body):
    if any(isinstance(child.block, EmbedBlock) for child in body):
        return format_html('<script src="{}" defer></script>', static("embeds/player.js"))
    return ""
