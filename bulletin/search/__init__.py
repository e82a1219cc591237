"""Full-text search of the published archive: the reader's /search/ and the editors' admin search.

One index table per database engine (FTS5 on SQLite, tsvector with GIN on PostgreSQL), written in the
transaction that publishes, unpublishes or deletes a story. Imports newsroom (and Django, Wagtail) only;
its templates extend web's base page, the one app above web that does so (docs/search.md).
"""
