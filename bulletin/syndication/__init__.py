"""Syndication and discoverability: feeds (RSS, Atom, JSON Feed), sitemaps, robots.txt, and the structured
data and link-preview tags of reader pages.

Imports newsroom only. The reader site's templates load its template tags (syndication_tags); the publisher
reaches its views by URL, never by import.
"""
