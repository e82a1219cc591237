"""What every reader page needs: the publication (its name and language), its sections for the navigation,
the feed's page size."""

from bulletin.newsroom.listings import FEED_PAGE_SIZE
from bulletin.newsroom.models import PublicationSettings, Section


def site(request):
    # The publisher renders pages in batches that share ``render_memo`` (publishing/render.py): the publication
    # and the sections are loaded once per batch, not twice per page.
    memo = getattr(request, "render_memo", None)
    if memo is not None and "web.site" in memo:
        return memo["web.site"]
    publication = PublicationSettings.load(request_or_site=request)
    context = {"publication": publication, "site_name": publication.name, "nav_sections": list(Section.objects.all()),
               "feed_page_size": FEED_PAGE_SIZE}
    if memo is not None:
        memo["web.site"] = context
    return context
