"""The publisher keeps public/ equal to the site: exactly the affected files per publish, nothing stale."""

import hashlib

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from bulletin.newsroom import listings
from bulletin.newsroom.blocks import reusing_images
from bulletin.newsroom.models import Section, StoryPage, Tag
from bulletin.publishing import build
from bulletin.publishing.paths import UnsafePath, file_for
from bulletin.publishing.render import Renderer
from tests.factories import publish_story


def snapshot(public):
    return {
        p.relative_to(public).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in public.rglob("*")
        if p.is_file() and not p.name.startswith((".publisher", ".generation"))
    }


def changed_pages(before, after):
    """Files that appeared, disappeared or changed, without their .gz/.br variants."""
    names = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    return {n for n in names if not n.endswith((".gz", ".br"))}


def test_build_writes_every_page_with_compressed_variants(public):
    story = listings.latest(1)[0]
    for name in [
        "index.html",
        "feed/widget/index.html",
        "page/1/index.html",
        file_for(story.url),
        "sections/war/index.html",
        "sections/war/page/1/index.html",
    ]:
        assert (public / name).is_file(), name
        assert (public / (name + ".gz")).is_file() and (public / (name + ".br")).is_file()
    assert build.check().ok


#: The index pages, whose counts a story's first publish changes.
INDEXES = {"sections/index.html", "authors/index.html"}


def _story_files(story, section, author, tags):
    """The files a publish of ``story`` rewrites, not counting the sitemap index."""

    def pages(collection):
        number = listings.Listing(collection).page_number_of(story)
        folder = collection.get_absolute_url()[1:]
        return {
            f"{folder}index.html",
            f"{folder}page/{number}/index.html",
            f"{folder}rss.xml",
            f"{folder}atom.xml",
            f"{folder}feed.json",
        }

    month = timezone.localtime(story.first_published_at)
    return {
        file_for(story.url),
        "index.html",
        "feed/widget/index.html",
        "live/latest.json",
        f"page/{listings.page_number_of(story.feed_position)}/index.html",
        "feeds/rss.xml",
        "feeds/atom.xml",
        "feeds/feed.json",
        "sitemaps/news.xml",
        f"sitemaps/stories-{month:%Y-%m}.xml",
        *pages(section),
        *pages(author),
        *(file for tag in tags for file in pages(tag)),
    }


def test_publishing_one_story_writes_exactly_the_expected_files(public, django_capture_on_commit_callbacks):
    section = Section.objects.get(slug="politics")
    tags = list(Tag.objects.all()[:2])
    before = snapshot(public)
    with django_capture_on_commit_callbacks(execute=True):
        story = publish_story("A new story", section=section)
        story.tags.set(tags)
        story.save_revision().publish()
    expected = _story_files(story, section, story.authors[0], tags)
    # The demo ends in an earlier month: this story starts a new month's sitemap, which the index now lists. A
    # first publish changes the story counts of /sections/ and /authors/.
    assert changed_pages(before, snapshot(public)) == expected | {"sitemap.xml"} | INDEXES
    assert len(expected) == 30
    assert build.check().ok

    before = snapshot(public)
    with django_capture_on_commit_callbacks(execute=True):
        second = publish_story("A second story in the same month", section=section)
    assert changed_pages(before, snapshot(public)) == _story_files(second, section, second.authors[0], []) | INDEXES
    assert build.check().ok


def test_fifty_publishes_leave_an_old_page_file_unchanged(public, django_capture_on_commit_callbacks):
    old_page = (public / "page/2/index.html").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(50):
            publish_story()
    assert (public / "page/2/index.html").read_bytes() == old_page
    assert build.check().ok


def test_unpublishing_removes_the_story_from_every_file(public, client, django_capture_on_commit_callbacks):
    story = listings.latest(3)[2].specific
    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()
    assert not (public / file_for(story.url)).exists()
    marker = public / file_for(story.url).replace("index.html", ".gone.html")
    assert marker.is_file() and b"This story was removed" in marker.read_bytes()
    for path in public.rglob("*.html"):
        links = {a.get("href") for a in BeautifulSoup(path.read_bytes(), "html5lib").find_all("a")}
        assert story.url not in links, path
    assert client.get(story.url).status_code == 410
    assert build.check().ok


def test_a_redirect_set_by_an_editor_wins_over_410(public, client, django_capture_on_commit_callbacks):
    from wagtail.contrib.redirects.models import Redirect

    story = listings.latest(1)[0].specific
    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()
        Redirect.objects.create(old_path=Redirect.normalise_path(story.url), redirect_link="/")
    response = client.get(story.url)
    assert response.status_code == 301 and response["Location"] == "/"
    assert not (public / file_for(story.url)).exists()
    assert not (public / file_for(story.url).replace("index.html", ".gone.html")).exists()


def test_republishing_brings_the_page_back(public, client, django_capture_on_commit_callbacks):
    story = listings.latest(1)[0].specific
    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    assert (public / file_for(story.url)).is_file()
    assert client.get(story.url).status_code == 200
    assert build.check().ok


def test_changing_a_slug_leaves_a_redirect_not_a_stale_file(public, client, django_capture_on_commit_callbacks):
    story = listings.latest(1)[0].specific
    old_url = story.url
    story.slug = "a-brand-new-slug"
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    assert not (public / file_for(old_url)).exists()
    assert (public / "a-brand-new-slug/index.html").is_file()
    assert client.get(old_url).status_code in (301, 410)
    assert build.check().ok


def test_moving_a_story_to_another_section_updates_both(public, django_capture_on_commit_callbacks):
    story = listings.latest(1)[0].specific
    old, new = story.section, Section.objects.exclude(pk=story.section_id).first()
    story.section = new
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    old_links = {
        a["href"]
        for a in BeautifulSoup((public / f"{old.get_absolute_url()[1:]}index.html").read_bytes(), "html5lib").select(
            ".story-card a"
        )
    }
    assert story.url not in old_links
    assert build.check().ok


def test_editing_an_author_rerenders_their_stories_in_the_background(public, django_capture_on_commit_callbacks):
    from bulletin.publishing.models import OutboxEntry

    story = listings.latest(1)[0].specific
    author = story.authors[0]
    with django_capture_on_commit_callbacks(execute=True):
        author.bio = "A completely new biography."
        author.save()
    assert OutboxEntry.objects.filter(background=True, done_at__isnull=False).exists()
    assert b"A completely new biography." in (public / file_for(story.url)).read_bytes()
    assert build.check().ok


def test_check_finds_deleted_changed_and_stray_files(public):
    story = listings.latest(1)[0]
    (public / file_for(story.url)).unlink()
    (public / "page/1/index.html").write_bytes(b"<p>edited by hand</p>")
    (public / "stray").mkdir()
    (public / "stray/index.html").write_bytes(b"old")
    result = build.check()
    assert result.missing == [file_for(story.url)]
    assert result.stale == ["page/1/index.html"]
    assert result.extra == ["stray/index.html"]
    build.build(workers=1)
    assert build.check().ok and not (public / "stray/index.html").exists()


def test_a_second_build_changes_no_bytes(public):
    before = snapshot(public)
    result = build.build(workers=2)  # inside the test's transaction this renders in one process (see build())
    assert result.changed == 0 and snapshot(public) == before


@pytest.mark.parametrize(
    "url", ["/../etc/passwd", "/a/../../b/", "/.publisher.lock", "relative/", "/a\\b/", "/a/.gone.html"]
)
def test_hostile_urls_never_map_outside_public(url):
    with pytest.raises(UnsafePath):
        file_for(url)


def test_pending_outbox_entries_are_published_on_replay(public, settings):
    from bulletin.publishing.models import OutboxEntry
    from bulletin.publishing.publisher import Publisher

    settings.BULLETIN_PUBLISHER = "off"  # as if the process died right after commit
    story = publish_story("Published while the publisher was down")
    assert not (public / file_for(story.url)).exists()
    assert OutboxEntry.objects.filter(done_at=None).exists()
    assert build.check().missing
    Publisher().publish_pending()
    assert (public / file_for(story.url)).is_file() and build.check().ok
    assert not OutboxEntry.objects.filter(done_at=None).exists()


def test_deleting_a_story_removes_it_like_unpublishing(public, client, django_capture_on_commit_callbacks):
    story = listings.latest(2)[1].specific
    url = story.url
    with django_capture_on_commit_callbacks(execute=True):
        story.delete()
    assert not (public / file_for(url)).exists()
    assert client.get(url).status_code == 410
    assert url not in (public / "index.html").read_text()
    assert build.check().ok


def test_deleting_a_tag_removes_its_pages_and_updates_its_stories(public, django_capture_on_commit_callbacks):
    tag = Tag.objects.filter(stories__live=True).distinct().first()
    story = listings.stories_of(tag).first()
    tag_page = f"{tag.get_absolute_url()[1:]}index.html"
    assert (public / tag_page).is_file()
    with django_capture_on_commit_callbacks(execute=True):
        tag.delete()
    assert not (public / tag_page).exists()
    tags_shown = BeautifulSoup((public / file_for(story.url)).read_bytes(), "html5lib").select(".story__tags a")
    assert tag.name not in [a.get_text() for a in tags_shown]
    assert build.check().ok  # every other page that showed the tag was rendered again too


def test_renditions_keep_one_name_when_two_builders_create_them_at_once(settings, tmp_path):
    """Parallel build workers may create the same rendition together; a second copy under a random name would
    make the next build change every page that links to it (seen at 10,000 stories)."""
    from django.core.files.base import ContentFile
    from wagtail.images.models import get_rendition_storage

    storage = get_rendition_storage()
    name = storage.save("images/race-check.width-480.jpg", ContentFile(b"first"))
    assert storage.save("images/race-check.width-480.jpg", ContentFile(b"second")) == name
    assert storage.open(name).read() == b"second"


def test_build_loads_a_chunk_of_stories_at_once_and_renders_the_same_bytes(public):
    renderer = Renderer()
    urls = [story.url for story in StoryPage.objects.live().order_by("path")[:20]]
    expected = []
    with CaptureQueriesContext(connection) as one_by_one:
        for url in urls:
            renderer.new_batch()  # as if each story were published on its own
            expected.append(renderer.render(url).body)
    renderer.new_batch()
    slugs = [url.strip("/") for url in urls]
    with CaptureQueriesContext(connection) as preloaded, reusing_images({}):
        build.preload_stories(renderer, slugs)
        rendered = [renderer.render(url).body for url in urls]
    assert rendered == expected
    # One by one, every page asks for its story, bylines, tags, corrections, sources, view restrictions, image
    # renditions and body images, the publication and the sections (about 12 queries). Preloaded: a few queries
    # per chunk, then each image the first time it appears and the stories that link cards show.
    assert len(preloaded) * 4 < len(one_by_one)


def test_a_build_still_keeps_a_private_story_out_of_public(public):
    """Preloaded stories skip the view-restriction queries only when the site has no restriction at all."""
    story = StoryPage.objects.live().order_by("path").first()
    PageViewRestriction.objects.create(page=story, restriction_type=PageViewRestriction.LOGIN)
    renderer = Renderer()
    build.preload_stories(renderer, [story.slug])
    rendered = renderer.render(story.url)
    assert rendered.status == 302  # to the login page: the publisher removes the file
