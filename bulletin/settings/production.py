"""A server: the secret key and host names must come from the environment; HTTPS only; staff sign in with 2FA.

`python -m django check --deploy --settings=bulletin.settings.production` is clean but for the checks silenced
below, each on purpose (docs/security.md).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set BULLETIN_SECRET_KEY (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
SESSION_COOKIE_SECURE = os.environ.get("BULLETIN_INSECURE_COOKIES") != "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# HTTPS only. Behind a proxy that terminates TLS, Django sees plain HTTP: name the header the proxy sets to the
# client's scheme (nginx: `proxy_set_header X-Forwarded-Proto $scheme;`) in BULLETIN_SECURE_PROXY_HEADER, and
# make sure the proxy overwrites it, or a client could claim HTTPS. Or let the proxy redirect to HTTPS itself and
# set BULLETIN_SSL_REDIRECT=0.
SECURE_SSL_REDIRECT = os.environ.get("BULLETIN_SSL_REDIRECT", "1") != "0"
if os.environ.get("BULLETIN_SECURE_PROXY_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["BULLETIN_SECURE_PROXY_HEADER"].upper().replace("-", "_"),
        "https",
    )
#: Strict-Transport-Security: a year by default (the value hstspreload.org asks for); 0 turns it off. Subdomains
#: and preloading are opt-in, as they bind every host of the domain to HTTPS for that long.
SECURE_HSTS_SECONDS = int(os.environ.get("BULLETIN_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("BULLETIN_HSTS_INCLUDE_SUBDOMAINS") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("BULLETIN_HSTS_PRELOAD") == "1"

BULLETIN_TWO_FACTOR = os.environ.get("BULLETIN_TWO_FACTOR", "required")

SILENCED_SYSTEM_CHECKS = [
    # HSTS for subdomains and preloading: opt-in above, since the newsroom may not own every subdomain's HTTPS.
    "security.W005",
    "security.W021",
    # X-Frame-Options SAMEORIGIN, not DENY: the admin's preview panel frames the site's own pages.
    "security.W019",
]
