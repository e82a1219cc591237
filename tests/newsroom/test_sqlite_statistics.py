"""SQLite's planner statistics after migrations (newsroom.handlers.refresh_sqlite_statistics)."""

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.loader import MigrationLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL gathers its statistics itself"),
]


def _tables_with_statistics(cursor):
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if not cursor.fetchone():
        return set()
    cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
    return {row[0] for row in cursor.fetchall()}


def _migrated():
    """post_migrate as `migrate` sends it after applying the newsroom's latest migration."""
    loader = MigrationLoader(connection)
    latest = loader.graph.leaf_nodes("newsroom")[0]
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default", plan=[(loader.graph.nodes[latest], False)])


def test_a_migration_that_dropped_a_tables_statistics_gets_them_back():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        assert "newsroom_storypage" in _tables_with_statistics(cursor)
        # What SQLite does when a migration rebuilds the table to alter it: its statistics go, the others stay.
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'newsroom_storypage'")
        _migrated()
        assert "newsroom_storypage" in _tables_with_statistics(cursor)


def test_a_database_without_statistics_is_left_without():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")  # the test database has some: the demo gathers them
        assert _tables_with_statistics(cursor) == set()
        _migrated()
        assert _tables_with_statistics(cursor) == set()
