"""The newsroom: stories, authors, sections and tags, in the words editors use.

This app imports Django and Wagtail only. Other Bulletin apps import it and hear about its changes through
``bulletin.newsroom.signals``; it never imports them.
"""
