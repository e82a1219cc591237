"""What every reader page needs: the publication (its name and language), its sections for the navigation,
the feed's page size."""

from bulletin.newsroom.feed import FEED_PAGE_SIZE
from bulletin.newsroom.models import PublicationSettings, Section


def site(request):
    publication = PublicationSettings.load(request_or_site=request)
    return {"publication": publication, "site_name": publication.name, "nav_sections": Section.objects.all(),
            "feed_page_size": FEED_PAGE_SIZE}
