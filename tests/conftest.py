"""Shared fixtures. The demo newsroom is built once per test session into the test database;
tests that change it run in a transaction that pytest-django rolls back."""

import datetime
import os
import shutil
import zoneinfo

import pytest

from tests.embeds.provider_servers import embed_providers, local_embed_providers  # noqa: F401 (fixtures)
from tests.servers import Server, demo_copy, manage_code, server_env

#: The demo newsroom the tests read: small enough to build in seconds, big enough for several feed pages.
DEMO_STORIES = 60
#: A fixed "now" so the demo's times (and so the rendered pages) are the same in every run.
DEMO_NOW = datetime.datetime(2026, 1, 19, 18, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Kyiv"))


def pytest_addoption(parser):
    parser.addoption("--e2e", action="store_true", help="also run the browser tests (tests/e2e)")


#: The fixtures through which a test reaches the database that DATABASE_URL names.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup"}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        # On PostgreSQL (`make test-postgresql`) only the tests that use the database run: the others do not
        # depend on the database and already ran in the SQLite suite, so here they would only cost CI time.
        uses_database = [
            item for item in items if DATABASE_FIXTURES & set(item.fixturenames) or item.get_closest_marker("django_db")
        ]
        config.hook.pytest_deselected(items=[item for item in items if item not in uses_database])
        items[:] = uses_database
    if config.getoption("--e2e"):
        return
    skip = pytest.mark.skip(reason="browser test: run with --e2e (make test does)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """The test database with the demo newsroom (DEMO_STORIES stories, seed 42, ending at DEMO_NOW), and its
    images' renditions; returns the public/ built from it, which the ``public`` fixture copies for each test.

    The renditions are part of the state every test starts from: otherwise each test's first build made them again
    in its own transaction, which is rolled back after it."""
    from django.test import override_settings

    from bulletin.demo import builder
    from bulletin.publishing import build

    built = tmp_path_factory.mktemp("built") / "public"
    with django_db_blocker.unblock():
        builder.build(stories=DEMO_STORIES, days=5, seed=42, now=DEMO_NOW)
        with override_settings(BULLETIN_PUBLIC_DIR=built):
            build.build(workers=1)
    return built


@pytest.fixture
def feed_page(db):
    from bulletin.newsroom.models import NewsFeedPage

    return NewsFeedPage.objects.get()


@pytest.fixture
def public(settings, tmp_path, db, django_db_setup):
    """public/ in tmp_path holding the whole demo site, as `bulletin build` writes it from the database every test
    starts from: a copy of the one django_db_setup built (a build per test took 3–5 s of its setup)."""
    settings.BULLETIN_PUBLIC_DIR = tmp_path / "public"
    shutil.copytree(django_db_setup, settings.BULLETIN_PUBLIC_DIR, symlinks=True)
    return settings.BULLETIN_PUBLIC_DIR


@pytest.fixture
def client_for():
    """Return a test client signed in as a new user with the given role."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bulletin.newsroom import roles

    def make(role, username=None):
        user = get_user_model().objects.create_user(username or f"{role.lower()}-user", password="not-used-12345")
        roles.assign_role(user, role)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


# A real `bulletin serve` on a built demo site, shared by the serve, nginx and live-stream tests (tests/e2e has its
# own, on the browser tests' demo newsroom).
@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A built 30-story demo site served by `bulletin serve` (2 front workers, a heartbeat a second on /live/)."""
    data_dir = tmp_path_factory.mktemp("serve")
    env = server_env(data_dir, BULLETIN_LIVE_HEARTBEAT="1")
    demo_copy(tmp_path_factory, data_dir, "--stories", "30", "--quiet")
    running = Server(env, data_dir / "serve.log")

    def manage(code):
        return manage_code(env, code)

    yield running.port, data_dir / "public", manage, running.process
    running.stop()
