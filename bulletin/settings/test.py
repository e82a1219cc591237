"""The test suite: fast password hashing, local-memory cache, media in a temporary folder."""

import atexit
import shutil
import tempfile

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_TEMPORARY = Path(tempfile.mkdtemp(prefix="bulletin-test-"))  # noqa: F405
atexit.register(shutil.rmtree, _TEMPORARY, ignore_errors=True)
MEDIA_ROOT = _TEMPORARY / "media"
BULLETIN_PUBLIC_DIR = _TEMPORARY / "public"
STATIC_ROOT = BULLETIN_PUBLIC_DIR / "static"
BULLETIN_PUBLISHER = "inline"
# The helper is a process of its own: it could not see the test database (in memory on SQLite, renamed on
# PostgreSQL). The tests that run real `bulletin` processes use it (tests/publishing/test_second_process.py).
BULLETIN_PUBLISHER_HELPER = False
STORAGES = {  # no collectstatic in tests
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Two build workers that render the first page using an image create the same rendition at once; without
    # overwriting, the loser saves a copy under a random name that its page links to, and the next build
    # changes that page. Overwriting keeps one name (the content is the same).
    "renditions": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"allow_overwrite": True}},
}
ALLOWED_HOSTS = ["*"]
