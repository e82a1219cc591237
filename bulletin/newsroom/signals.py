"""Signals the newsroom sends beyond Wagtail's own (page_published, page_unpublished)."""

from django.dispatch import Signal

#: Stories were written in bulk, without Wagtail's signals (the demo builder, an importer), inside the
#: transaction that wrote them. Arguments: sender (the loader's module name), story_ids (a list of page ids).
stories_loaded = Signal()
