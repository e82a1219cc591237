"""Times as a newsroom writes them, rendered on the server in the site's time zone.

Django's date format letters already follow AP style: N gives "Jan.", "March", "Sept."; P gives
"4:25 p.m.", "4 p.m.", "noon" and "midnight".
"""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date

register = template.Library()

DATETIME_FORMAT = "N j, Y, P"  # Jan. 19, 2025, 4:25 p.m.
TIME_FORMAT = "P"  # 6:10 p.m.


@register.filter
def news_datetime(value):
    """ "Jan. 19, 2025, 4:25 p.m." in the site's time zone."""
    if not value:
        return ""
    return format_date(timezone.localtime(value), DATETIME_FORMAT)


@register.filter
def news_time(value):
    """ "4:25 p.m." in the site's time zone: the time of a story listed under its day."""
    if not value:
        return ""
    return format_date(timezone.localtime(value), TIME_FORMAT)


@register.filter
def news_update_time(updated, published):
    """The time of an update: the time alone when it falls on the day of publication, else date and time."""
    if not updated:
        return ""
    local_updated = timezone.localtime(updated)
    if published and timezone.localtime(published).date() == local_updated.date():
        return format_date(local_updated, TIME_FORMAT)
    return format_date(local_updated, DATETIME_FORMAT)


@register.filter
def iso_datetime(value):
    """ISO 8601 with the site's UTC offset, for <time datetime> and machines."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""
