"""A section, tag or author whose slug changes: its old URLs answer 301 to the same page under the new slug (as
Wagtail redirects an edited story's old URL), and its old files leave public/ so that the static server passes
them to the app."""

import pytest
from wagtail.contrib.redirects.models import Redirect

from bulletin.newsroom import listings
from bulletin.newsroom.models import Author, Section, Tag
from bulletin.publishing import build
from bulletin.publishing.paths import file_for

KINDS = {"sections": Section, "tags": Tag, "authors": Author}


def _collection(kind):
    """One with stories, so that it has a numbered page."""
    for collection in KINDS[kind].objects.order_by("pk"):
        if listings.Listing(collection).page_count():
            return collection
    raise AssertionError(f"the demo has no {kind} with stories")


def _files(kind, slug):
    folder = f"{kind}/{slug}/"
    return [
        f"{folder}index.html",
        f"{folder}page/1/index.html",
        f"{folder}rss.xml",
        f"{folder}atom.xml",
        f"{folder}feed.json",
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_a_changed_slug_redirects_the_old_urls_and_removes_their_files(
    public, kind, client, admin_client, django_capture_on_commit_callbacks
):
    collection = _collection(kind)
    old_slug, new_slug = collection.slug, f"{collection.slug}-renamed"
    assert all((public / name).is_file() for name in _files(kind, old_slug))

    collection.slug = new_slug
    with django_capture_on_commit_callbacks(execute=True):
        collection.save()

    assert not [name for name in _files(kind, old_slug) if (public / name).exists()]
    assert (public / f"{kind}/{new_slug}/index.html").is_file()
    for old, new in [
        (f"/{kind}/{old_slug}/", f"/{kind}/{new_slug}/"),
        (f"/{kind}/{old_slug}/page/1/", f"/{kind}/{new_slug}/page/1/"),
        (f"/{kind}/{old_slug}/rss.xml", f"/{kind}/{new_slug}/rss.xml"),
    ]:
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == new, old
        assert client.get(new).status_code == 200
    # Editors see them in Settings → Redirects.
    listing = admin_client.get("/admin/redirects/").content.decode()
    assert f"/{kind}/{old_slug}/rss.xml" in listing and f"/{kind}/{old_slug}" in listing
    assert Redirect.objects.filter(
        old_path=f"/{kind}/{old_slug}", redirect_link=f"/{kind}/{new_slug}/", is_permanent=True
    ).exists()
    assert build.check().ok


def test_renaming_twice_and_back_leaves_no_chain_or_loop(public, client, django_capture_on_commit_callbacks):
    tag = _collection("tags")
    first = tag.slug
    for slug in ("second", "third", first):
        tag.slug = slug
        with django_capture_on_commit_callbacks(execute=True):
            tag.save()
    assert client.get(f"/tags/{first}/").status_code == 200  # its own again: no redirect left there
    assert not Redirect.objects.filter(old_path=f"/tags/{first}").exists()
    for slug in ("second", "third"):
        response = client.get(f"/tags/{slug}/")
        assert response.status_code == 301 and response["Location"] == f"/tags/{first}/"
        assert not (public / file_for(f"/tags/{slug}/")).exists()
    assert (public / file_for(f"/tags/{first}/")).is_file()
    assert build.check().ok


def test_a_new_tag_takes_over_a_slug_left_by_a_renamed_one(public, client, django_capture_on_commit_callbacks):
    tag = _collection("tags")
    old_slug = tag.slug
    tag.slug = f"{old_slug}-moved"
    with django_capture_on_commit_callbacks(execute=True):
        tag.save()
        Tag.objects.create(name="A brand new tag", slug=old_slug)
    assert client.get(f"/tags/{old_slug}/").status_code == 200
    assert not Redirect.objects.filter(old_path=f"/tags/{old_slug}").exists()
