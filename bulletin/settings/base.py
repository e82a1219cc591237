"""Settings shared by every environment. Nothing here imports from bulletin."""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

#: Where the SQLite database, uploaded media and secrets of a local install live.
DATA_DIR = Path(os.environ.get("BULLETIN_DATA_DIR", "var")).resolve()

SECRET_KEY = os.environ.get("BULLETIN_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("BULLETIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("BULLETIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # Bulletin's apps, lowest first: newsroom is the content; the others import it, never the reverse.
    "bulletin.newsroom",
    "bulletin.newsdesk",
    # Signal receivers run in this order: the newsroom places a published story, live records its event, then
    # the publisher's outbox entry (which renders /live/latest.json) sees both, even outside a transaction.
    "bulletin.live",
    "bulletin.publishing",
    "bulletin.search",
    "bulletin.syndication",
    "bulletin.web",
    # After every app that hears a story's signals: a live blog's receivers send them again as a story's.
    "bulletin.liveblogs",
    "bulletin.demo",
    "bulletin.imports",
    "bulletin.accounts",
    "bulletin.uploads",
    "bulletin.embeds",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.embeds",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # First, so that it sees each answer last: with every cookie, Vary and CSRF token the others added.
    "bulletin.web.middleware.PublicGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "bulletin.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bulletin.web.middleware.SiteCacheMiddleware",
    "bulletin.web.middleware.GoneMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Staff sign-in (bulletin/accounts): request.user.is_verified(), the two-factor challenge, then django-axes,
    # which answers a locked-out sign-in after the login view has run.
    "django_otp.middleware.OTPMiddleware",
    "bulletin.accounts.two_factor.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: it runs the admin's write views itself, inside a transaction, so no process_view may follow it.
    "bulletin.newsdesk.middleware.AtomicAdminWritesMiddleware",
]

ROOT_URLCONF = "bulletin.urls"
ASGI_APPLICATION = "bulletin.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bulletin.web.context_processors.site",
                "bulletin.live.context_processors.live",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'bulletin.sqlite3'}",
        conn_max_age=int(os.environ.get("BULLETIN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while the editor writes; IMMEDIATE avoids "database is locked" on upgrade from
    # a read to a write lock, which two editors saving at once would otherwise hit (Django 5.1+ options).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Wagtail looks up image renditions here before asking the database (two queries per image otherwise).
    "renditions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}

# django-axes first: a locked-out account or address is refused before the password is even checked (its
# authenticate() only checks). AxesBackend rather than AxesStandaloneBackend: it also has ModelBackend's get_user(),
# which a session started without a password (force_login, in the tests) looks for on the first backend.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
#: Wrong passwords in a row, for one account or from one address, before sign-in is locked for the cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("BULLETIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("BULLETIN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: per account, and per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "bulletin.accounts.throttling.client_address"
AXES_VERBOSE = False  # no banner at start-up; failures and lockouts are still logged
#: Proxies in front of the app that append the client's address to X-Forwarded-For (nginx: 1); 0 trusts none.
BULLETIN_PROXIES = int(os.environ.get("BULLETIN_PROXIES", "0"))
#: "required": admins and editors must sign in with a TOTP code too (production's default); "optional": anyone
#: may turn it on (bulletin/accounts/two_factor.py).
BULLETIN_TWO_FACTOR = os.environ.get("BULLETIN_TWO_FACTOR", "optional")
OTP_TOTP_ISSUER = os.environ.get("BULLETIN_SITE_NAME", "Bulletin")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("BULLETIN_LANGUAGE", "en-us")
#: The newsroom's time zone: every time a reader sees is rendered on the server in this zone.
TIME_ZONE = os.environ.get("BULLETIN_TIME_ZONE", "Europe/Kyiv")
USE_I18N = True
USE_TZ = True

#: The rendered site: pages the publisher keeps current, served as files (docs/publishing.md).
BULLETIN_PUBLIC_DIR = Path(os.environ.get("BULLETIN_PUBLIC_DIR", DATA_DIR / "public"))
#: How a publish reaches public/: "thread" (after commit, in a background thread of the process that published),
#: "inline" (before the request returns; tests), or "off" (outbox rows only, rendered by `bulletin build`).
BULLETIN_PUBLISHER = os.environ.get("BULLETIN_PUBLISHER", "thread")
#: A second process renders a publish's feeds and sitemaps while the publisher renders its pages (about 100 MB
#: more memory per publishing process; "0" turns it off). See publishing/second_process.py.
BULLETIN_PUBLISHER_HELPER = os.environ.get("BULLETIN_PUBLISHER_HELPER", "1") != "0"
#: /healthz answers 503 once a change has failed to reach public/ for this many seconds (its retries go on).
BULLETIN_HEALTH_MAX_FAILING_SECONDS = int(os.environ.get("BULLETIN_HEALTH_MAX_FAILING_SECONDS", "60"))
#: Memory each worker of `bulletin serve` may use to keep files of public/ ready to send.
BULLETIN_FRONT_CACHE_MB = int(os.environ.get("BULLETIN_FRONT_CACHE_MB", "256"))

# `bulletin serve` is granian (docs/serving.md): its limits and timeouts, named after what they bound.
#: Largest request head (request line and headers) in bytes; more gets 431 (granian's --http1-buffer-size).
BULLETIN_MAX_HEADER_BYTES = int(os.environ.get("BULLETIN_MAX_HEADER_BYTES", str(64 * 1024)))
#: Seconds a client has to send a request's head, on a new or a kept-alive connection (slowloris, idle clients).
BULLETIN_HEADER_TIMEOUT = float(os.environ.get("BULLETIN_HEADER_TIMEOUT", "10"))
#: HTTP/1.1 keep-alive ("0": close each connection after one answer).
BULLETIN_KEEP_ALIVE = os.environ.get("BULLETIN_KEEP_ALIVE", "1") != "0"
#: Connections each worker holds at once; more wait in the kernel's queue. granian's default (backlog ÷ workers,
#: 512) let 1,024 slowloris sockets stall every reader for the header timeout (bench/hostile_front.py).
BULLETIN_BACKPRESSURE = int(os.environ.get("BULLETIN_BACKPRESSURE", "8192"))
#: Connections the kernel queues before a worker accepts them (listen backlog).
BULLETIN_BACKLOG = int(os.environ.get("BULLETIN_BACKLOG", "1024"))
#: Largest request body in bytes; more gets 413 before Django sees the request (nginx's client_max_body_size).
BULLETIN_MAX_REQUEST_BYTES = int(os.environ.get("BULLETIN_MAX_REQUEST_BYTES", str(64 * 1024 * 1024)))
#: Restart a worker gracefully when its memory passes this many MB ("0": never).
BULLETIN_WORKERS_MAX_RSS_MB = int(os.environ.get("BULLETIN_WORKERS_MAX_RSS_MB", "0"))
#: Start a worker that died again ("0": `serve` exits instead, for a supervisor that restarts it).
BULLETIN_RESPAWN_FAILED_WORKERS = os.environ.get("BULLETIN_RESPAWN_FAILED_WORKERS", "1") != "0"
#: Processes of `bulletin serve` that run Django (everything but files and /live/), apart from the workers that
#: answer files, so that busy Django views (search, the admin) never take the workers' CPU (docs/serving.md).
BULLETIN_DJANGO_PROCESSES = int(os.environ.get("BULLETIN_DJANGO_PROCESSES", "2"))
#: The Django processes' niceness: under contention the kernel gives the file-serving workers the CPU first.
BULLETIN_DJANGO_NICE = int(os.environ.get("BULLETIN_DJANGO_NICE", "5"))
#: While serve's workers are short of CPU, reader search waits its turn so that the Django processes use at most
#: this share of the machine's CPU ("1": no limit; bulletin/front/search_gate.py).
BULLETIN_SEARCH_BUSY_SHARE = float(os.environ.get("BULLETIN_SEARCH_BUSY_SHARE", "0.05"))
if not BULLETIN_SEARCH_BUSY_SHARE > 0:  # 0 would refuse every search for as long as the files keep the CPU busy
    raise ImproperlyConfigured("BULLETIN_SEARCH_BUSY_SHARE must be above 0 (1: no limit on search).")
#: Seconds a search waits for its turn at most; then it gets 503 with Retry-After.
BULLETIN_SEARCH_MAX_WAIT = float(os.environ.get("BULLETIN_SEARCH_MAX_WAIT", "10"))

STATIC_URL = "/static/"
# Inside public/, so whatever serves the pages serves the (fingerprinted) static files too.
STATIC_ROOT = BULLETIN_PUBLIC_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("BULLETIN_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "bulletin.publishing.static_files.PrecompressedManifestStaticFilesStorage"},
    # Two build workers that render the first page using an image create the same rendition at once; without
    # overwriting, the loser saves a copy under a random name that its page links to, and the next build
    # changes that page. Overwriting keeps one name (the content is the same).
    "renditions": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"allow_overwrite": True}},
}

# An upload larger than this is refused with a clear form error instead of filling the disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = int(os.environ.get("BULLETIN_MAX_IMAGE_BYTES", 15 * 1024 * 1024))
# Wagtail counts width × height × frames. Rendering makes up to three renditions at once, each decoding the whole
# original (4 bytes a pixel, plus copies for crop and resize): about 25 bytes a pixel at worst (an RGBA PNG, which
# can be a few KB on disk). Measured by bench/image_memory.py (bench/README.md), peak RSS of one process, 116 MB
# after set-up: 12 MP 421 MB, 12.5 MP 435, 16 MP 509, 24 MP 708, 62 MP 1,608 (a JPEG: 392, 392, 457, 667, 1,490).
# 12.5 MP keeps a worker near 435 MB, under 512 MB with room for a worker that has grown, and takes a
# 12-megapixel phone photo (4032 × 3024).
# apps.py of bulletin.uploads gives Pillow the same limit.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 12_500_000
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_RENDITION_STORAGE = "renditions"
# Documents: formats a newsroom links to, never a type a browser runs (svg, html, xhtml, js, xml…); the content
# must match the name (bulletin/uploads/forms.py), and /documents/<id>/<name> always downloads, with
# "default-src 'none'" and nosniff (Wagtail's serve view).
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "csv", "txt"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "bulletin.uploads.forms.DocumentForm"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = []

WAGTAIL_SITE_NAME = os.environ.get("BULLETIN_SITE_NAME", "Bulletin")
WAGTAILADMIN_BASE_URL = os.environ.get("BULLETIN_BASE_URL", "http://127.0.0.1:8000")
# Page and author searches of the admin come from Bulletin's search index; the rest from Wagtail's (docs/search.md).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "bulletin.search.wagtail_backend"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_I18N_ENABLED = False

LOGIN_URL = "wagtailadmin_login"

# Embeds in stories (bulletin/embeds, docs/editing.md): Wagtail resolves them with Bulletin's providers only.
WAGTAILEMBEDS_FINDERS = [{"class": "bulletin.embeds.finders.ProviderFinder"}]
#: Per provider, another oEmbed endpoint (Telegram: the site of its post pages) or player origin, as JSON:
#: {"youtube": {"endpoint": "…", "player": "…"}}. For a proxy, a new Graph API version, or the tests' local servers.
BULLETIN_EMBED_PROVIDERS = json.loads(os.environ.get("BULLETIN_EMBED_PROVIDERS") or "{}")
#: Meta's app access token ("app id|client token"): Facebook and Instagram answer oEmbed only with one.
BULLETIN_META_ACCESS_TOKEN = os.environ.get("BULLETIN_META_ACCESS_TOKEN", "")

#: How often the embedded scheduler publishes stories whose go-live time has passed (seconds).
BULLETIN_SCHEDULER_INTERVAL = int(os.environ.get("BULLETIN_SCHEDULER_INTERVAL", "30"))

#: Live News Feed across machines: every `bulletin serve` subscribes to this Redis for publish events. Empty:
#: the workers of one machine learn of events from public/live/latest.json (docs/live.md).
REDIS_URL = os.environ.get("REDIS_URL", "")
#: The Redis channel (and prefix of the backlog list) of this newsroom's live events.
BULLETIN_LIVE_CHANNEL = os.environ.get("BULLETIN_LIVE_CHANNEL", "bulletin:live")
#: Seconds between heartbeat comments on open /live/ streams.
BULLETIN_LIVE_HEARTBEAT = float(os.environ.get("BULLETIN_LIVE_HEARTBEAT", "15"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # Wagtail's admin JavaScript reads it
X_FRAME_OPTIONS = "SAMEORIGIN"  # the admin's preview panel frames the public page
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BULLETIN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
        "wagtail.tasks": {"level": "WARNING"},
    },
}
