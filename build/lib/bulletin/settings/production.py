"""A server: the secret key and host names must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured("Set BULLETIN_SECRET_KEY (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))').")
SESSION_COOKIE_SECURE = os.environ.get("BULLETIN_INSECURE_COOKIES") != "1"  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
