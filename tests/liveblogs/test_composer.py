"""The composer on the live blog's admin page: posting, editing, deleting, and bad input that loses nothing."""

from bs4 import BeautifulSoup

from bulletin.liveblogs.models import LiveBlogEntry, LiveBlogPage
from bulletin.newsroom import roles


def composer_url(blog):
    return f"/admin/live-blogs/{blog.pk}/"


def textarea(response, name="text"):
    return BeautifulSoup(response.content, "html5lib").select_one(f'textarea[name="{name}"]').get_text()


def errors(response):
    return (
        BeautifulSoup(response.content, "html5lib").select_one("[data-composer] [role=alert]").get_text(" ", strip=True)
    )


def test_an_editor_posts_edits_and_deletes_an_entry(blog, client_for):
    editor = client_for(roles.EDITORS)
    response = editor.post(composer_url(blog), {"action": "post", "text": "Sirens across the country.", "is_key": "on"})
    assert response.status_code == 302
    entry = LiveBlogEntry.objects.get(blog=blog)
    assert entry.is_key and entry.updated_at is None
    assert "Sirens across the country." in editor.get(blog.url).content.decode()

    form = editor.get(f"{composer_url(blog)}?edit={entry.pk}")
    assert textarea(form) == "Sirens across the country."
    editor.post(
        f"{composer_url(blog)}?edit={entry.pk}",
        {"action": "edit", "text": "Sirens across most of the country.", "version": entry.version},
    )
    entry.refresh_from_db()
    assert entry.updated_at is not None
    assert "Updated" in BeautifulSoup(editor.get(blog.url).content, "html5lib").select_one(f"#entry-{entry.pk}").text

    editor.post(composer_url(blog), {"action": "delete", "entry": entry.pk})
    assert not LiveBlogEntry.objects.filter(pk=entry.pk).exists()
    assert f"entry-{entry.pk}" not in editor.get(blog.url).content.decode()


def test_an_empty_entry_is_refused_and_the_headline_kept(blog, client_for):
    editor = client_for(roles.EDITORS)
    response = editor.post(composer_url(blog), {"action": "post", "headline": "Breaking", "text": "   "})
    assert response.status_code == 200
    assert "The entry is empty" in errors(response)
    page = BeautifulSoup(response.content, "html5lib")
    assert page.select_one('input[name="headline"]')["value"] == "Breaking"
    assert not LiveBlogEntry.objects.filter(blog=blog).exists()


def test_an_ended_blog_takes_no_entry_and_the_text_is_kept(blog, client_for):
    blog.status = LiveBlogPage.ENDED
    blog.save_revision().publish()
    editor = client_for(roles.EDITORS)
    response = editor.post(composer_url(blog), {"action": "post", "text": "One more thing."})
    assert response.status_code == 200
    assert "has ended" in errors(response)
    assert textarea(response) == "One more thing."
    assert not LiveBlogEntry.objects.filter(blog=blog).exists()


def test_two_editors_editing_one_entry_the_second_is_told_and_keeps_their_text(blog, client_for):
    first, second = client_for(roles.EDITORS, "first"), client_for(roles.EDITORS, "second")
    first.post(composer_url(blog), {"action": "post", "text": "Original."})
    entry = LiveBlogEntry.objects.get(blog=blog)
    url = f"{composer_url(blog)}?edit={entry.pk}"
    opened_version = entry.version  # both open the form at this version
    first.post(url, {"action": "edit", "text": "First editor's fix.", "version": opened_version})
    response = second.post(url, {"action": "edit", "text": "Second editor's fix.", "version": opened_version})
    assert response.status_code == 200
    assert "Another editor saved this entry" in errors(response)
    assert textarea(response) == "Second editor's fix."
    page = BeautifulSoup(response.content, "html5lib")
    assert "First editor's fix." in page.select_one("[data-conflict]").get_text()
    entry.refresh_from_db()
    assert "First editor's fix." in str(entry.body)
    # Saving again, having seen theirs, replaces it deliberately.
    version = page.select_one('input[name="version"]')["value"]
    second.post(url, {"action": "edit", "text": "Second editor's fix.", "version": version})
    entry.refresh_from_db()
    assert "Second editor's fix." in str(entry.body)


def test_two_editors_posting_at_once_both_keep_their_entries(blog, client_for):
    first, second = client_for(roles.EDITORS, "first"), client_for(roles.EDITORS, "second")
    first.post(composer_url(blog), {"action": "post", "text": "From the first."})
    second.post(composer_url(blog), {"action": "post", "text": "From the second."})
    assert sorted(LiveBlogEntry.objects.filter(blog=blog).values_list("position", flat=True)) == [1, 2]


def test_key_developments_are_published_on_their_own(blog, client_for):
    editor = client_for(roles.EDITORS)
    editor.post(composer_url(blog), {"action": "key_developments", "key-key_developments": "Point one\nPoint two"})
    page = BeautifulSoup(editor.get(blog.url).content, "html5lib")
    assert [li.get_text() for li in page.select(".liveblog__key-developments li")] == ["Point one", "Point two"]


def test_a_contributor_may_not_post(blog, client_for):
    assert client_for(roles.CONTRIBUTORS).get(composer_url(blog)).status_code in (302, 403)
