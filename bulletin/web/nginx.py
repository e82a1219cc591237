"""An nginx configuration that serves public/ and media/ as files and proxies the rest to `bulletin serve`.

Generated (`bulletin nginx-config`) rather than copied from the docs, so that its Cache-Control policy is
the one in caching.py and its paths are the ones in the settings. Debian's nginx has no brotli module: behind
nginx, readers get the gzip variants.
"""

import re

from bulletin.newsroom.collection_kinds import segments_pattern
from bulletin.uploads.serving import INLINE_SUFFIXES, MEDIA_POLICY

from .caching import FINGERPRINTED, HEAD_PAGES, LIVE_POLL, MEDIA, STABLE_PAGES
from .content_types import BY_FILE_NAME, BY_SUFFIX
from .dynamic_paths import QUERY_PREFIXES
from .middleware import PUBLIC_PAGE_POLICY

PROXY = """\
        proxy_pass http://bulletin_app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;"""

TEMPLATE = """\
# Bulletin: nginx answers files from public/ and media/; everything else goes to `bulletin serve`.
# Include this inside the http {{ }} block (e.g. /etc/nginx/conf.d/bulletin.conf).
upstream bulletin_app {{
    server {upstream};
    keepalive 16;
}}

# The editors' redirects (and an imported site's old URLs), answered here without the app: the publisher keeps
# them in two map files in public/ (bulletin/publishing/redirect_map.py). Reload nginx after they change
# (`nginx -s reload`); until then, nginx answers the redirects it read last. The key is the path without its
# trailing slash, as Wagtail stores it; the [s] makes each include a pattern, which may match no file yet.
# An imported archive brings hundreds of thousands of old URLs, some long: room for them in nginx's hash.
map_hash_max_size 1048576;
map_hash_bucket_size 256;
map $uri $bulletin_redirect_key {{
    default $uri;
    "~^(?<bulletin_path>/.*?)/?$" $bulletin_path;
}}
map $bulletin_redirect_key $bulletin_redirect {{
    default "";
    include {public}/.redirects-path[s].map;
}}
map "$bulletin_redirect_key?$args" $bulletin_query_redirect {{
    default "";
    include {public}/.redirects-querie[s].map;
}}

# Uploads other than raster images are downloads, never shown inline (bulletin/uploads/serving.py).
map $uri $bulletin_media_disposition {{
    default attachment;
    "~*({inline_suffixes})$" "";
}}

server {{
    listen {listen};
    server_name {server_name};
    root {public};
    charset utf-8;
    # Pages, feeds, sitemaps and static files have .gz variants. Each location that serves them says
    # "Vary: Accept-Encoding" itself: gzip_vary would make nginx open the .gz file even for readers who do not take
    # gzip, three more system calls per uncompressed answer than a bare file server (bench/nginx_syscalls.py).
    gzip_static on;
    etag on;
    # Keep the files readers ask for open and look at them again at most a second later: the open, stat and close
    # of each answer were a third of nginx's CPU per request (bench/README.md). A page the publisher replaced or
    # removed is served as it was, whole, for at most that second; the pages that change with every publish, the
    # feeds and the live feed's polling file turn it off. 200 open files per worker stay well inside the usual
    # limit of 1,024 descriptors; raise both (worker_rlimit_nofile) for a bigger hot set.
    open_file_cache max=200 inactive=20s;
    open_file_cache_valid 1s;
    client_max_body_size 64m;

    if ($bulletin_query_redirect) {{
        return 301 $bulletin_query_redirect;
    }}
    if ($bulletin_redirect) {{
        return 301 $bulletin_redirect;
    }}

    # Hidden files (the publisher's lock, 410 markers, temporary files) are never served directly.
    location ~ /\\. {{
        return 404;
    }}

    # The stylesheets, scripts and SVGs have .gz variants too (collectstatic writes them).
    location ^~ /static/ {{
        add_header Cache-Control "{fingerprinted}" always;
        add_header Vary Accept-Encoding always;
        add_header X-Content-Type-Options nosniff always;
        try_files $uri @app;
    }}

    location ^~ /media/ {{
        {media_root}
        add_header Cache-Control "{media}" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Content-Security-Policy "{media_policy}" always;
        add_header Content-Disposition $bulletin_media_disposition always;
        try_files $uri @app;
    }}

    # Answers that depend on the query string (search, the admin and its previews, the APIs, documents) go to
    # the app even where a file of that name exists; everywhere else a file is served whatever the query
    # (?utm_source=…, fbclid=…), since try_files looks at the path only (bulletin/web/dynamic_paths.py).
    location ~ ^({query_prefixes}) {{
{proxy}
    }}

    # The live News Feed's server-sent events: answered by `bulletin serve`, streamed as they come, kept open.
    location = /live/ {{
{proxy}
        proxy_buffering off;
        proxy_read_timeout 1h;
    }}

    # The polling files: the News Feed's latest.json, the banner's banner.json and each live blog's topic file.
    location ~ ^/live/[a-z0-9-]+\\.json$ {{
        open_file_cache off;
        add_header Cache-Control "{live_poll}" always;
        add_header Vary Accept-Encoding always;
        add_header X-Content-Type-Options nosniff always;
        try_files $uri @app;
    }}

    # The News Feed, its widget and the heads (and indexes) of sections, tags and authors change with publishes.
    location ~ ^/(|feed/widget/|({segments})/([^/]+/)?)$ {{
        open_file_cache off;
        add_header Cache-Control "{head_pages}" always;
        add_header Content-Security-Policy "{policy}" always;
        add_header Vary Accept-Encoding always;
        add_header X-Content-Type-Options nosniff always;
        try_files $uri/index.html @gone_or_app;
    }}

{syndication}
    location / {{
        add_header Cache-Control "{stable_pages}" always;
        add_header Content-Security-Policy "{policy}" always;
        add_header Vary Accept-Encoding always;
        add_header X-Content-Type-Options nosniff always;
        try_files $uri $uri/index.html @gone_or_app;
    }}

    # A removed story leaves a marker beside where its page was: answer 410 with the marker's page.
    location @gone_or_app {{
        if (-f $document_root${{uri}}.gone.html) {{
            return 410;
        }}
{proxy}
        proxy_buffering off;  # server-sent events and other streams pass straight through
    }}
    error_page 410 @gone;
    location @gone {{
        add_header Cache-Control "{head_pages}" always;
        add_header Vary Accept-Encoding always;
        try_files ${{uri}}.gone.html =410;
    }}

    location @app {{
{proxy}
    }}
}}
"""


#: Feeds and sitemaps change with every publish, and nginx's mime.types knows no feed types (text/xml for .xml).
SYNDICATION_LOCATION = """\
    location ~ {pattern} {{
        types {{ }}
        default_type "{content_type}";
        open_file_cache off;
        add_header Cache-Control "{head_pages}" always;
        add_header Vary Accept-Encoding always;
        add_header X-Content-Type-Options nosniff always;
        try_files $uri @app;
    }}
"""


def _syndication_locations():
    feeds = [
        (rf"^/(feeds|({segments_pattern()})/[^/]+)/{re.escape(name)}$", content_type)
        for name, content_type in BY_FILE_NAME.items()
    ]
    sitemaps = [(r"^/(sitemap\.xml|sitemaps/[^/]+\.xml)$", BY_SUFFIX[".xml"])]
    return "".join(
        SYNDICATION_LOCATION.format(pattern=pattern, content_type=content_type, head_pages=HEAD_PAGES)
        for pattern, content_type in feeds + sitemaps
    )


def render_config(public_dir, media_dir, upstream="127.0.0.1:8000", listen="80", server_name="_"):
    """The nginx server block for this installation."""
    media_root = f"root {media_dir.parent};" if media_dir.name == "media" else f"alias {media_dir}/;"
    return TEMPLATE.format(
        upstream=upstream,
        listen=listen,
        server_name=server_name,
        public=public_dir,
        media_root=media_root,
        fingerprinted=FINGERPRINTED,
        media=MEDIA,
        live_poll=LIVE_POLL,
        head_pages=HEAD_PAGES,
        stable_pages=STABLE_PAGES,
        policy=PUBLIC_PAGE_POLICY,
        proxy=PROXY,
        syndication=_syndication_locations(),
        segments=segments_pattern(),
        media_policy=MEDIA_POLICY,
        inline_suffixes="|".join(re.escape(suffix) for suffix in INLINE_SUFFIXES),
        query_prefixes="|".join(re.escape(prefix) for prefix in QUERY_PREFIXES),
    )
