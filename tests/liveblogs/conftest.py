import pytest

from bulletin.newsroom.models import Author, Byline, NewsFeedPage, Section


def make_blog(title="Missile attack on Kyiv", slug="missile-attack-live", user=None, **fields):
    """A live blog under the News Feed, published the way the admin publishes (a revision, then publish)."""
    from bulletin.liveblogs.models import LiveBlogPage

    blog = LiveBlogPage(
        title=title,
        slug=slug,
        summary=fields.pop("summary", "Russia launched a massive attack overnight. Follow the latest."),
        section=fields.pop("section", None) or Section.objects.first(),
        live=False,
        owner=user,
        **fields,
    )
    blog.bylines = [Byline(author=Author.objects.order_by("pk").first())]
    NewsFeedPage.objects.get().add_child(instance=blog)
    blog.save_revision(user=user).publish(user=user)
    blog.refresh_from_db()
    return blog


@pytest.fixture
def blog(db):
    return make_blog()
