"""The ``link_url`` filter: an external URL from a story's content, only if it is safe to put in an ``href``.

The editor's forms accept only web addresses, but content also arrives through the models (importers, the shell, a
future API): a ``javascript:`` URL there would run on the reader's page. The scheme is checked where the link is
written, as nh3 checks the links inside rich text.
"""

from urllib.parse import urlsplit

from django import template

from bulletin.newsroom.blocks import LINK_SCHEMES

register = template.Library()


@register.filter
def link_url(url):
    """``url`` if it is an absolute URL with one of LINK_SCHEMES, else an empty string (the link is left out)."""
    url = (url or "").strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in LINK_SCHEMES else ""
