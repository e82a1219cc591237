"""The demo newsroom and a laptop: SQLite in ./var, a secret key generated once and kept in ./var."""

import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR, SECRET_KEY

DEBUG = False  # the demo shows the public site as readers get it; set BULLETIN_DEBUG=1 for tracebacks
if os.environ.get("BULLETIN_DEBUG") == "1":  # noqa: F405
    DEBUG = True

if not SECRET_KEY:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
