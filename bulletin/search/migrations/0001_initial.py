from django.db import migrations


def create_index(apps, schema_editor):
    from bulletin.search.index import PostgresIndex, SqliteIndex

    index = PostgresIndex() if schema_editor.connection.vendor == "postgresql" else SqliteIndex()
    with schema_editor.connection.cursor() as cursor:
        index.create(cursor)


def drop_index(apps, schema_editor):
    from bulletin.search.index import PostgresIndex, SqliteIndex

    index = PostgresIndex() if schema_editor.connection.vendor == "postgresql" else SqliteIndex()
    with schema_editor.connection.cursor() as cursor:
        index.drop(cursor)


class Migration(migrations.Migration):
    """The index table of the database's engine, empty: `bulletin search rebuild` fills it (docs/search.md)."""

    dependencies = [("newsroom", "0003_body_images_loaded_once_per_build")]

    operations = [migrations.RunPython(create_index, drop_index)]
