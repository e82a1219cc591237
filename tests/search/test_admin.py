"""The admin's page search, the link-card chooser and the author chooser use the search index."""

from wagtail.search.backends import get_search_backend

from bulletin.newsroom.models import Author, StoryPage
from bulletin.search.wagtail_backend import NewsroomSearchBackend
from tests.factories import publish_story


def test_the_default_backend_is_the_newsroom_index():
    assert isinstance(get_search_backend(), NewsroomSearchBackend)


def test_page_search_finds_live_stories_by_rank_and_drafts_by_title(db):
    live = publish_story("Heron colony returns to Dnipro")
    draft = StoryPage.objects.get(pk=publish_story("Draft heron notes").pk)
    draft.unpublish()
    results = list(StoryPage.objects.all().autocomplete("heron"))
    assert [r.pk for r in results] == [live.pk, draft.pk]
    assert StoryPage.objects.all().search("heron").count() == 2


def test_admin_page_search_and_link_card_chooser(db, client_for):
    story = publish_story("Pelican census in Mykolaiv")
    editor = client_for("Editors")
    page = editor.get("/admin/pages/search/", {"q": "pelican"}).content.decode()
    assert "Pelican census in Mykolaiv" in page
    chooser = editor.get("/admin/choose-page/search/", {"q": "pelican", "page_type": "newsroom.storypage"})
    assert chooser.status_code == 200 and story.title in chooser.content.decode()


def test_author_search_and_chooser(db, client_for):
    author = Author.objects.create(name="Yevheniia Zaporozhets", slug="yevheniia-zaporozhets")
    backend = get_search_backend()
    assert list(backend.search("zaporo", Author)) == [author]
    assert list(backend.autocomplete("Yev Zap", Author.objects.all())) == [author]
    chooser = client_for("Editors").get("/admin/snippets/choose/newsroom/author/results/", {"q": "zaporo"})
    assert chooser.status_code == 200 and "Yevheniia Zaporozhets" in chooser.content.decode()
