"""/search/ and /search/search.json: what readers get, whatever they type."""

import pytest

from bulletin.newsroom.models import Author, Section, StoryPage, Tag
from tests.factories import publish_story


def test_the_masthead_has_a_search_form_that_works_without_javascript(client, db):
    page = client.get("/").content.decode()
    assert '<form class="masthead__search" action="/search/" method="get" role="search">' in page
    assert 'name="q"' in page


def test_results_show_headline_section_time_and_highlighted_summary(client, db):
    story = publish_story("Ibis returns to Kherson", summary="The ibis was last seen in 1990.")
    response = client.get("/search/", {"q": "ibis"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{story.url}"><mark>Ibis</mark> returns to Kherson</a>' in page
    assert "The <mark>ibis</mark> was last seen in 1990." in page
    assert story.section.name in page
    assert "<time datetime=" in page
    assert '<meta name="robots" content="noindex, follow">' in page
    assert response["X-Robots-Tag"] == "noindex, follow"
    assert "s-maxage" in response["Cache-Control"]


def test_highlighting_is_escaped(client, db):
    publish_story("Why <script> tags matter", summary="About <script>alert(1)</script> in headlines.")
    page = client.get("/search/", {"q": "<script>"}).content.decode()
    assert "<script>alert" not in page
    assert "&lt;<mark>script</mark>&gt;alert(1)" in page
    assert "Results for “&lt;script&gt;”" in page


def test_empty_and_no_result_queries_get_help(client, db):
    empty = client.get("/search/")
    assert empty.status_code == 200 and "Type a name, a place" in empty.content.decode()
    none = client.get("/search/", {"q": "xyzzyqwerty"})
    assert none.status_code == 200 and "No stories match “xyzzyqwerty”" in none.content.decode()


def test_pagination_and_pages_past_the_end(client, db):
    first = client.get("/search/", {"q": "the"}).content.decode()
    assert 'rel="next"' in first
    second = client.get("/search/", {"q": "the", "page": "2"}).content.decode()
    assert 'rel="prev"' in second
    past = client.get("/search/", {"q": "the", "page": "999"})
    assert past.status_code == 200 and "See the first page of results" in past.content.decode()


def test_sort_by_newest(client, db):
    response = client.get("/search/search.json", {"q": "the", "sort": "newest"})
    published = [r["published"] for r in response.json()["results"]]
    assert published == sorted(published, reverse=True)


def test_json_returns_the_same_results(client, db):
    html = client.get("/search/", {"q": "the"}).content.decode()
    data = client.get("/search/search.json", {"q": "the"}).json()
    assert data["results"] and all(r["url"] in html for r in data["results"])
    assert data["results"][0].keys() >= {"title", "title_html", "url", "section", "published", "summary_html"}


def test_filters_from_the_form(client, db):
    story = StoryPage.objects.live().select_related("section").first()
    data = client.get("/search/search.json", {"q": "the", "section": story.section.slug}).json()
    assert data["results"] and {r["section"] for r in data["results"]} == {story.section.name}


def test_the_filters_list_every_section_author_and_tag_with_the_chosen_ones_selected(client, db):
    tag = Tag.objects.create(name="<b>Grid</b> & power", slug="grid-power")
    section, author = Section.objects.order_by("name").last(), Author.objects.order_by("name").first()
    page = client.get("/search/", {"q": "the", "section": section.slug, "tag": tag.slug}).content.decode()
    assert f'<option value="{section.slug}" selected>{section.name}</option>' in page
    assert f'<option value="{author.slug}">{author.name}</option>' in page  # no author chosen
    assert '<option value="grid-power" selected>&lt;b&gt;Grid&lt;/b&gt; &amp; power</option>' in page
    assert page.count("<option value=") - 3 == Section.objects.count() + Author.objects.count() + Tag.objects.count()
    assert page.count(" selected>") == 2


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"war" OR (peace NEAR title:*)'},
        {"q": "' OR 1=1; --"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"q": "the", "page": "-1"},
        {"q": "the", "page": "abc"},
        {"q": "the", "page": "99999999999999999999"},
        {"q": "the", "from": "2026-13-45", "to": "yesterday"},
        {"q": "the", "section": "no-such"},
        {"q": "the", "author": "x" * 500},
        {"q": "the", "sort": "sideways"},
    ],
)
def test_bad_input_gets_an_answer(client, db, params):
    assert client.get("/search/", params).status_code == 200
    assert client.get("/search/search.json", params).status_code == 200


def test_long_queries_and_nul_bytes_are_answered_cut_and_cleaned(client, db):
    answer = client.get("/search/search.json", {"q": "kharkiv " * 700}).json()
    assert len(answer["query"]) <= 200 and answer["query"].startswith("kharkiv kharkiv")
    page = client.get("/search/", {"q": "x" * 5000}).content.decode()
    assert "x" * 200 in page and "x" * 201 not in page
    answer = client.get("/search/search.json", {"q": "Kharkiv\x00"}).json()
    assert answer["query"] == "Kharkiv" and answer["results"]


def test_a_page_past_the_end_in_json(client, db):
    answer = client.get("/search/search.json", {"q": "the", "page": "999"}).json()
    assert answer["results"] == [] and answer["pages"] >= 1


def test_invalid_utf8_in_the_query_string(client, db):
    assert client.get("/search/?q=%FF%FEwar%C3").status_code == 200
    assert client.get("/search/search.json?q=%00%ff").status_code == 200


def test_search_is_never_written_to_public(public):
    assert not (public / "search").exists()
