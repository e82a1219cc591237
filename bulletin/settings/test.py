"""The test suite: fast password hashing, local-memory cache, media in a temporary folder."""

import tempfile

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bulletin-test-media-"))  # noqa: F405
BULLETIN_PUBLIC_DIR = Path(tempfile.mkdtemp(prefix="bulletin-test-public-"))  # noqa: F405
STATIC_ROOT = BULLETIN_PUBLIC_DIR / "static"
BULLETIN_PUBLISHER = "inline"
STORAGES = {  # no collectstatic in tests
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
