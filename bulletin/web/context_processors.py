"""What every reader page needs: the publication (its name and language), its sections for the navigation,
the feed's page size and the newsroom's time zone (the reader script names days in it)."""

from django.conf import settings

from bulletin.newsroom import render_memo
from bulletin.newsroom.listings import FEED_PAGE_SIZE
from bulletin.newsroom.models import PublicationSettings, Section


def site(request):
    # The publisher renders pages in batches that share a memo (newsroom/render_memo.py): the publication and the
    # sections are loaded once per batch, not twice per page. Key "web.site": this context.
    memo = render_memo.for_request(request)
    if "web.site" in memo:
        return memo["web.site"]
    publication = PublicationSettings.load(request_or_site=request)
    context = {
        "publication": publication,
        "site_name": publication.name,
        "nav_sections": list(Section.objects.all()),
        "feed_page_size": FEED_PAGE_SIZE,
        "time_zone": settings.TIME_ZONE,
    }
    memo["web.site"] = context
    return context
