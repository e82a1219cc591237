"""The index follows what is published, in English and Ukrainian (docs/search.md)."""

import pytest

from bulletin.newsroom.models import Author, Section, StoryPage, Tag
from bulletin.search import index
from bulletin.search.text import Query
from tests.factories import publish_story, story_form_data


def ids(query, **kwargs):
    return index.search(query, **kwargs).story_ids


def test_the_demo_builder_indexes_what_it_creates(db):
    story = StoryPage.objects.live().order_by("-feed_position").first()
    assert story.pk in ids(story.title)


def test_a_published_story_is_searchable_in_its_publish_transaction(db):
    story = publish_story("Zaporizhzhia nuclear plant loses power", summary="A rare word: quokkaesque.")
    assert ids("quokkaesque") == [story.pk]


def test_unpublished_and_deleted_stories_leave_the_index(db):
    story = publish_story("Gazprom quarterly flamingo report")
    assert ids("flamingo") == [story.pk]
    story.unpublish()
    assert ids("flamingo") == []
    story.save_revision().publish()
    assert ids("flamingo") == [story.pk]
    StoryPage.objects.get(pk=story.pk).delete()
    assert ids("flamingo") == []


def test_drafts_and_previews_never_reach_the_index(db, client_for):
    story = publish_story("Kestrel sighted over the river")
    story.title = "Draft headline with pangolin"
    story.save_revision()  # a draft of a live story: readers still see the published version
    assert ids("pangolin") == []
    assert ids("kestrel") == [story.pk]
    editor = client_for("Editors")
    response = editor.post(f"/admin/pages/{story.pk}/edit/preview/", story_form_data(story, title="Preview axolotl"))
    assert response.json()["is_valid"]
    assert editor.get(f"/admin/pages/{story.pk}/edit/preview/").status_code == 200
    assert ids("axolotl") == []


def test_a_scheduled_story_waits_for_its_time(db):
    import datetime

    from django.utils import timezone

    story = publish_story("Scheduled capybara story")
    story.unpublish()
    story.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    story.save_revision().publish()
    assert ids("capybara") == []


def test_headline_outranks_body_and_newer_wins_ties(db):
    older = publish_story("Nothing here one", summary="The word walrus appears in the summary.")
    in_title = publish_story("Walrus seen in Odesa harbour")
    newer = publish_story("Nothing here two", summary="The word walrus appears in the summary.")
    assert ids("walrus") == [in_title.pk, newer.pk, older.pk]
    assert ids("walrus", newest=True) == [newer.pk, in_title.pk, older.pk]


def test_what_is_searched_beyond_the_headline(db):
    author = Author.objects.create(name="Ostap Vyshnyakov", slug="ostap-vyshnyakov")
    tag = Tag.objects.create(name="Chornobyl zone", slug="chornobyl-zone")
    story = publish_story(
        "A story",
        summary="Summary.",
        authors=[author],
        body=[
            ("paragraph", "<p>Body mentions <b>turbines</b>.</p>"),
            ("quote", {"text": "We will rebuild the dam", "attribution": "Mayor"}),
            ("image", {"image": None, "alt": "x", "caption": "Caption shows sunflowers", "credit": "AP"}),
        ],
    )
    story.tags.add(tag)
    story.save_revision().publish()
    for word in ("turbines", "dam", "sunflowers", "Vyshnyakov", "Chornobyl", story.section.name):
        assert story.pk in ids(word), word


@pytest.mark.parametrize(
    "stored, typed",
    [
        ("Харків під обстрілом", "харків"),
        ("ЄВРОПА І ЇЖАК", "європа їжак"),
        ("Ґанок біля школи", "ґанок"),
        ("Ціни на м’ясо зросли", "м'ясо"),
        ("Ціни на м'ясо зросли", "мʼясо"),
        ("Ціни на мʼясо зросли", "м’ясо"),
        ("Обстріл Харкова вночі", "Харків"),
        ("Shelling in Kharkiv overnight", "kharkiv"),
        ("Обстріл Харкова вночі", "Kharkova"),
        ("Мер Києва заявив", "Kyieva"),
        ("Харків під обстрілом", "Kharkiv"),
        ("Elections postponed", "election"),
        ("Voters elected a mayor", "elect"),
        ("Café reopens", "cafe"),
        ("Reconstruction begins", "reconst"),
        ("Відновлення почалося", "віднов"),
    ],
)
def test_languages(db, stored, typed):
    story = publish_story(stored)
    assert story.pk in ids(typed), (stored, typed)


def test_filters_by_section_author_tag_and_dates(db):
    section = Section.objects.order_by("pk").last()
    author = Author.objects.order_by("pk").last()
    story = publish_story("Filtered marmot story", section=section, authors=[author])
    tag = Tag.objects.first()
    story.tags.add(tag)
    story.save_revision().publish()
    other = publish_story(
        "Unfiltered marmot story",
        section=Section.objects.order_by("pk").first(),
        authors=[Author.objects.order_by("pk").first()],
    )
    assert set(ids("marmot")) == {story.pk, other.pk}
    assert ids("marmot", filters=index.Filters(section_id=section.pk)) == [story.pk]
    assert ids("marmot", filters=index.Filters(author_id=author.pk)) == [story.pk]
    assert ids("marmot", filters=index.Filters(tag_id=tag.pk)) == [story.pk]
    import datetime

    published = story.first_published_at
    assert set(ids("marmot", filters=index.Filters(since=published - datetime.timedelta(minutes=1)))) == {
        story.pk,
        other.pk,
    }
    assert ids("marmot", filters=index.Filters(until=published - datetime.timedelta(days=1))) == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '"unbalanced',
        "*",
        "war*",
        "-war",
        "NOT war",
        "war OR peace",
        "NEAR(war peace)",
        "war NEAR peace",
        "(war",
        "war)",
        "title:war",
        "{title}: war",
        "^war",
        "' OR 1=1 --",
        "'; DROP TABLE search_story_fts; --",
        "a\x00b",
        "\udcff",
        "x" * 5000,
        "war " * 2000,
        "&",
        "!",
        ":*",
        "'",
        "\\",
        "%",
        "_",
    ],
)
def test_engine_syntax_is_text(db, caplog, query):
    """No query reaches an engine as syntax it refuses: index.search answers a refused query with no results
    and logs it, so the log is what tells."""
    with caplog.at_level("ERROR", logger="bulletin.search.index"):
        index.search(query)
        index.search(query, newest=True)
        index.search(query, filters=index.Filters(section_id=1, author_id=1, tag_id=1))
    assert not caplog.records, caplog.text


@pytest.mark.parametrize(
    "query",
    [
        '"wombat',
        "wombat*",
        "-wombat",
        "wombat OR",
        "NEAR(wombat",
        "(wombat)",
        "title:wombat",
        "{title}:wombat",
        "^wombat",
    ],
)
def test_words_inside_engine_syntax_are_searched(db, query):
    """Operators are words like any other: every word typed must appear, "or", "near" and "title" included."""
    story = publish_story("Wombat census near the river: a title defended, or lost")
    assert ids(query) == [story.pk]


def test_long_queries_are_cut():
    assert len(Query("x" * 5000).raw) == 200
    assert len(Query("war " * 2000).words) <= 12


def test_rebuild_gives_the_same_answers(db):
    story = publish_story("Rebuilt ibex story")
    before = ids("story")
    assert index.rebuild() == StoryPage.objects.live().count()
    assert ids("story") == before
    assert story.pk in ids("ibex")


def test_a_rebuild_leaves_the_everyday_settings_behind(db):
    """A SQLite rebuild writes with FTS5's merging off and a 32 MB term buffer, on a larger page cache; after it,
    publishes index as before: FTS5's defaults are back, and so is the connection's page cache."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("FTS5 settings: SQLite only (PostgreSQL's rebuild is covered by the test above)")
    publish_story("Rebuilt tapir story")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        index.rebuild()
        cursor.execute("SELECT k, v FROM search_story_fts_config WHERE k IN ('automerge', 'hashsize')")
        assert dict(cursor.fetchall()) == {"automerge": index.FTS5_AUTOMERGE, "hashsize": index.FTS5_HASHSIZE}
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == cache_size
    assert ids("tapir")


def test_index_rows_commit_or_roll_back_with_the_publish(db):
    """The index is written in the publishing transaction: a publish that does not commit (a crash, kill -9)
    leaves no row behind, so after a restart search agrees with what is published."""
    from django.db import transaction

    story = publish_story("Lynx story draft", summary="Nothing.")
    story.unpublish()
    try:
        with transaction.atomic():
            story.title = "Quagga spotted near the border"
            story.save_revision().publish()
            assert ids("quagga") == [story.pk]
            raise RuntimeError("the process dies before the commit")
    except RuntimeError:
        pass
    assert ids("quagga") == []
    assert not StoryPage.objects.get(pk=story.pk).live


def test_renaming_or_deleting_a_tag_updates_its_stories(db):
    tag = Tag.objects.create(name="Okapi watch", slug="okapi-watch")
    story = publish_story("A story about zoos")
    story.tags.add(tag)
    story.save_revision().publish()
    assert ids("okapi") == [story.pk]
    tag.name = "Tapir watch"
    tag.save()
    assert ids("okapi") == [] and ids("tapir") == [story.pk]
    tag.delete()
    assert ids("tapir") == []
