"""The composer on the live blog's admin page: posting, editing, deleting, and bad input that loses nothing."""

import json

from bs4 import BeautifulSoup
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from bulletin.liveblogs.models import LiveBlogEntry, LiveBlogPage
from bulletin.newsroom import roles


def composer_url(blog):
    return f"/admin/live-blogs/{blog.pk}/"


def entry_data(action, *blocks, **fields):
    """The composer's POST as the browser sends it: the body as Wagtail's StreamField widget posts its blocks
    (("paragraph", text) for a paragraph)."""
    body = [(kind, rich_text(f"<p>{value}</p>") if kind == "paragraph" else value) for kind, value in blocks]
    return {"action": action, **fields, **nested_form_data({"body": streamfield(body)})}


def body_in_form(response):
    """The blocks the composer's body widget was rendered with (its value and errors), as text."""
    widget = BeautifulSoup(response.content, "html5lib").select_one('[data-composer] [data-controller="w-block"]')
    return json.dumps(json.loads(widget["data-w-block-arguments-value"]), ensure_ascii=False)


def errors(response):
    return (
        BeautifulSoup(response.content, "html5lib").select_one("[data-composer] [role=alert]").get_text(" ", strip=True)
    )


def test_an_editor_posts_edits_and_deletes_an_entry(blog, client_for):
    editor = client_for(roles.EDITORS)
    # A new entry's body opens with one paragraph to type into.
    assert json.loads(body_in_form(editor.get(composer_url(blog))))[0][0]["type"] == "paragraph"
    response = editor.post(
        composer_url(blog), entry_data("post", ("paragraph", "Sirens across the country."), is_key="on")
    )
    assert response.status_code == 302
    entry = LiveBlogEntry.objects.get(blog=blog)
    assert entry.is_key and entry.updated_at is None
    assert "Sirens across the country." in editor.get(blog.url).content.decode()

    form = editor.get(f"{composer_url(blog)}?edit={entry.pk}")
    assert "Sirens across the country." in body_in_form(form)
    editor.post(
        f"{composer_url(blog)}?edit={entry.pk}",
        entry_data("edit", ("paragraph", "Sirens across most of the country."), version=entry.version),
    )
    entry.refresh_from_db()
    assert entry.updated_at is not None
    assert "Updated" in BeautifulSoup(editor.get(blog.url).content, "html5lib").select_one(f"#entry-{entry.pk}").text

    editor.post(composer_url(blog), {"action": "delete", "entry": entry.pk})
    assert not LiveBlogEntry.objects.filter(pk=entry.pk).exists()
    assert f"entry-{entry.pk}" not in editor.get(blog.url).content.decode()


def test_an_empty_entry_is_refused_and_the_headline_kept(blog, client_for):
    editor = client_for(roles.EDITORS)
    # The composer opens with one empty paragraph: left empty, it is no content, not a block error.
    response = editor.post(composer_url(blog), entry_data("post", ("paragraph", ""), headline="Breaking"))
    assert response.status_code == 200
    assert "The entry is empty" in errors(response)
    page = BeautifulSoup(response.content, "html5lib")
    assert page.select_one('input[name="headline"]')["value"] == "Breaking"
    assert not LiveBlogEntry.objects.filter(blog=blog).exists()


def test_an_ended_blog_takes_no_entry_and_the_text_is_kept(blog, client_for):
    blog.status = LiveBlogPage.ENDED
    blog.save_revision().publish()
    editor = client_for(roles.EDITORS)
    response = editor.post(composer_url(blog), entry_data("post", ("paragraph", "One more thing.")))
    assert response.status_code == 200
    assert "has ended" in errors(response)
    assert "One more thing." in body_in_form(response)
    assert not LiveBlogEntry.objects.filter(blog=blog).exists()


def test_two_editors_editing_one_entry_the_second_is_told_and_keeps_their_text(blog, client_for):
    first, second = client_for(roles.EDITORS, "first"), client_for(roles.EDITORS, "second")
    first.post(composer_url(blog), entry_data("post", ("paragraph", "Original.")))
    entry = LiveBlogEntry.objects.get(blog=blog)
    url = f"{composer_url(blog)}?edit={entry.pk}"
    opened_version = entry.version  # both open the form at this version
    first.post(url, entry_data("edit", ("paragraph", "First editor's fix."), version=opened_version))
    response = second.post(url, entry_data("edit", ("paragraph", "Second editor's fix."), version=opened_version))
    assert response.status_code == 200
    assert "Another editor saved this entry" in errors(response)
    assert "Second editor's fix." in body_in_form(response)
    page = BeautifulSoup(response.content, "html5lib")
    assert "First editor's fix." in page.select_one("[data-conflict]").get_text()
    entry.refresh_from_db()
    assert "First editor's fix." in str(entry.body)
    # Saving again, having seen theirs, replaces it deliberately.
    version = page.select_one('input[name="version"]')["value"]
    second.post(url, entry_data("edit", ("paragraph", "Second editor's fix."), version=version))
    entry.refresh_from_db()
    assert "Second editor's fix." in str(entry.body)


def test_two_editors_posting_at_once_both_keep_their_entries(blog, client_for):
    first, second = client_for(roles.EDITORS, "first"), client_for(roles.EDITORS, "second")
    first.post(composer_url(blog), entry_data("post", ("paragraph", "From the first.")))
    second.post(composer_url(blog), entry_data("post", ("paragraph", "From the second.")))
    assert sorted(LiveBlogEntry.objects.filter(blog=blog).values_list("position", flat=True)) == [1, 2]


def test_an_entry_is_made_of_the_storys_blocks(blog, client_for):
    editor = client_for(roles.EDITORS)
    quote = {"text": "We will rebuild.", "attribution": "The mayor"}
    card = {
        "story": "",
        "url": "https://example.org/report",
        "title": "The full report",
        "description": "",
        "image": "",
        "publisher": "Example",
    }
    response = editor.post(
        composer_url(blog),
        entry_data(
            "post",
            ("paragraph", "Explosions in the capital."),
            ("heading", "What we know"),
            ("quote", quote),
            ("link_card", card),
        ),
    )
    assert response.status_code == 302
    entry = LiveBlogEntry.objects.get(blog=blog)
    assert [block.block_type for block in entry.body] == ["paragraph", "heading", "quote", "link_card"]
    published = BeautifulSoup(editor.get(blog.url).content, "html5lib").select_one(f"#entry-{entry.pk}")
    text = published.get_text(" ", strip=True)
    assert "Explosions in the capital." in text and "What we know" in text and "We will rebuild." in text
    assert published.select_one('a[href="https://example.org/report"]')
    # Editing shows every block again, not only the paragraphs.
    assert "We will rebuild." in body_in_form(editor.get(f"{composer_url(blog)}?edit={entry.pk}"))


def test_a_bad_block_is_shown_on_it_and_nothing_typed_is_lost(blog, client_for):
    editor = client_for(roles.EDITORS)
    response = editor.post(
        composer_url(blog),
        entry_data(
            "post",
            ("paragraph", "Watch the address."),
            ("embed", "https://example.org/not-a-provider"),
            headline="Address",
        ),
    )
    assert response.status_code == 200
    body = body_in_form(response)
    assert "Watch the address." in body and "https://example.org/not-a-provider" in body
    assert "embeds posts and videos from" in body  # the embed block's own error, beside it
    assert BeautifulSoup(response.content, "html5lib").select_one('input[name="headline"]')["value"] == "Address"
    assert not LiveBlogEntry.objects.filter(blog=blog).exists()


def test_key_developments_are_published_on_their_own(blog, client_for):
    editor = client_for(roles.EDITORS)
    editor.post(composer_url(blog), {"action": "key_developments", "key-key_developments": "Point one\nPoint two"})
    page = BeautifulSoup(editor.get(blog.url).content, "html5lib")
    assert [li.get_text() for li in page.select(".liveblog__key-developments li")] == ["Point one", "Point two"]


def test_a_contributor_may_not_post(blog, client_for):
    assert client_for(roles.CONTRIBUTORS).get(composer_url(blog)).status_code in (302, 403)
