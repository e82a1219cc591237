"""What every reader page needs: the newsroom's name, its sections for the navigation, the feed's page size."""

from django.conf import settings

from bulletin.newsroom.feed import FEED_PAGE_SIZE
from bulletin.newsroom.models import Section


def site(request):
    return {"site_name": settings.WAGTAIL_SITE_NAME, "nav_sections": Section.objects.all(), "feed_page_size": FEED_PAGE_SIZE}
