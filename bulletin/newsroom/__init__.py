"""The newsroom: stories, authors, sections and tags, in the words editors use.

This app imports Django and Wagtail only. Other Bulletin apps import it and hear about its changes through
Wagtail's and Django's model signals (page_published, post_save…); it never imports them (docs/architecture.md).
"""
