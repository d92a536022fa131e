"""The one settings module for fansite.

Every value that differs between a laptop and a server comes from an
environment variable (see README.md, "Configuration", and .env.example).
A ``.env`` file at the top of the repository is read when present; real
environment variables always win over it.
"""

from datetime import timedelta
from email.utils import formataddr
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# --- Core ---------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

# Development gets a fixed, obviously unsafe key so `make run` needs no setup.
# Anywhere else a missing key stops the process before it serves anything.
_DEV_SECRET_KEY = "django-insecure-fansite-development-only-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
        "random string (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or set DEBUG=1 for local development."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_ID = 1
# The community's name and one line saying what it is: the header, the footer,
# <title>, meta descriptions, feeds, emails and the admin use them
# (docs/design.md). Hyosan High School is where the series is set.
SITE_NAME = env.str("SITE_NAME", default="Hyosan Survivors")
SITE_TAGLINE = env.str("SITE_TAGLINE", default="Spoiler-safe talk about All of Us Are Dead")
# Absolute origin used in canonical links and social meta tags when known,
# e.g. https://fans.example.org. Empty: built from the request.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.syndication",
    # Only for its sitemap templates; the views are fansite.web.sitemaps.
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    # The task queue's table and worker (manage.py db_worker).
    "django_tasks_db",
    # The product's apps, bottom layer first (docs/architecture.md): each imports
    # only from the ones above it in this list.
    "fansite.web",
    "fansite.emails",
    "fansite.episodes",
    "fansite.spoilers",
    "fansite.users",
    "fansite.articles",
    "fansite.threads",
    "fansite.comments",
    "fansite.notifications",
    "fansite.reactions",
    "fansite.search",
    "fansite.ratings",
    "fansite.moderation",
    "fansite.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session middleware: a database that cannot be reached is a 503.
    "fansite.web.unavailable.DatabaseUnavailableMiddleware",
    "fansite.web.middleware.MalformedRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Just inside it: the CSRF cookie is sent again now and then (fansite/web/csrf.py).
    "fansite.web.csrf.CsrfCookieRenewal",
    "fansite.users.backends.MemberAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After CSRF and auth: reveal tokens are bound to the member or the CSRF secret.
    "fansite.spoilers.middleware.ForeignRevealMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Django's, writing the policy once (fansite/web/middleware.py).
    "fansite.web.middleware.ContentSecurityPolicyMiddleware",
    "fansite.web.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After messages and authentication: a member's pending notices become messages
    # before any cached page is looked up (pages with messages are never cached).
    "fansite.moderation.middleware.LevelChangeNoticeMiddleware",
    # After authentication: fills in what is the reader's own in pages members and
    # visitors share, on cached pages too (PAGE_MARKERS below, fansite/web/markers.py).
    "fansite.web.markers.MarkersMiddleware",
    # After authentication: server-rendered times in the member's own time zone.
    "fansite.users.middleware.MemberTimeZoneMiddleware",
]

# What the markers middleware fills in after the page cache, each app's own
# ``<!--app:…-->`` markers (fansite/web/markers.py, docs/caching.md):
PAGE_MARKERS = [
    # The member's unread count and follow buttons (fansite/notifications/state.py).
    "fansite.notifications.markers.NotificationMarkers",
    # Reaction counts and buttons (fansite/reactions/state.py).
    "fansite.reactions.markers.ReactionMarkers",
    # The header's link to the member's profile.
    "fansite.users.markers.HeaderMarkers",
    # The member's actions on comments, a thread's counts and page links, what is
    # new to the member in lists.
    "fansite.comments.markers.CommentMarkers",
    # What is new to the member in a thread, and their links on it.
    "fansite.threads.markers.ThreadMarkers",
]

ROOT_URLCONF = "fansite.urls"
WSGI_APPLICATION = "fansite.wsgi.application"
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fansite.web.context_processors.site",
                "fansite.web.context_processors.csrf",
                "fansite.spoilers.context_processors.reader",
            ],
            # {{ value|utc|date:"c" }} in every template: <time datetime> attributes
            # stay in UTC whatever zone the reader's page is rendered in.
            # {% extends %} and {% include %} finding their templates once
            # (fansite/web/templatetags/includes.py).
            "builtins": ["django.templatetags.tz", "fansite.web.templatetags.includes"],
        },
    },
]

# --- Database -----------------------------------------------------------

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Settings for a web server's concurrent access: write-ahead logging so
    # readers never block the writer, a busy timeout instead of instant
    # "database is locked" errors, and IMMEDIATE transactions so a write
    # transaction takes the lock up front rather than failing half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A PostgreSQL that does not answer (restarting, its host unreachable) fails a
    # request within seconds, with the 503 page (fansite/web/unavailable.py), rather
    # than holding the worker until gunicorn kills it. DATABASE_URL may set another
    # value (?connect_timeout=10).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # No JIT compilation: it pays off for long analytical queries, never for a web
    # page's. A query the planner costs high (a big thread's replies before
    # ANALYZE) spent 143 ms compiling to run in 100 ms. DATABASE_URL may set other
    # server options (?options=...), which then replace this one.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# Keep connections open between requests (SQLite too: each new connection would
# run the PRAGMAs above again), checked before reuse.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: the busiest reads (fansite.web.statements) are prepared once per
# connection, so they are planned once, not on every page. Turn off behind a
# pooler in transaction mode (PgBouncer), where a connection is not one session.
PREPARED_STATEMENTS = env.bool("PREPARED_STATEMENTS", default=True)
if PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares nothing when this is None (Django's default); so high, it
    # prepares only what asks to be (the ORM's own cursors never do).
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
    # And planned once: left to itself (plan_cache_mode "auto"), PostgreSQL plans a
    # prepared statement afresh on every run while the plan for the given values
    # is estimated cheaper than one for any values. For a thread page's comments
    # it always was: a millisecond of planning on every page. Only the statements
    # above are prepared, so only they get the one plan (each on the indexes made
    # for it: tests/web/test_statements.py checks it is used).
    _options = DATABASES["default"]["OPTIONS"].get("options", "")
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"{_options} -c plan_cache_mode=force_generic_plan".strip()
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend whose health check (below) looks at the connection's socket
    # rather than sending SELECT 1: one round trip less on every request that
    # reads anything (fansite/web/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "fansite.web.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -------------------------------------------------

if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            # Django's backend, minus a client object per call (fansite/web/cache.py).
            "BACKEND": "fansite.web.cache.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="fansite"))

# Whether every process sees the same cache. The in-process default does not:
# each gunicorn worker would keep its own copy, so nothing that must agree
# across workers (cached sessions, cached pages) may rely on it.
SHARED_CACHE = "locmem" not in CACHES["default"]["BACKEND"]

# Sessions live in the database (shared by every app server), with the cache
# in front when the cache is shared.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)

# --- Accounts -----------------------------------------------------------

AUTH_USER_MODEL = "users.User"
# Django's and allauth's, reading the member faster (fansite/users/backends.py).
AUTHENTICATION_BACKENDS = [
    "fansite.users.backends.MemberBackend",
    "fansite.users.backends.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "articles:article_list"

ACCOUNT_ADAPTER = "fansite.users.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "fansite.users.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory"
)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# The scheme of the links in account email: SITE_URL's when set; else plain http in
# development and wherever HTTPS is switched off (`make serve` on 127.0.0.1), https
# otherwise. A link whose scheme the server does not speak is a dead link.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = (
    SITE_URL.partition("://")[0]
    if SITE_URL
    else "https"
    if env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
    else "http"
)

# --- Email --------------------------------------------------------------

# EMAIL_URL picks the mail backend: smtp+tls://user:password@host:587,
# consolemail://, filemail:///path/to/folder or memorymail://.
# Development default: each message is written to a file in var/mail/ so a
# new member can open their verification link without a mail server. Mail to
# files (this default, or filemail://) goes through fansite's readable file
# backend: headers and the decoded text, links on one line, and one console line
# per message with its links (docs/email.md). Other mailers are Django's own.
_READABLE_FILES = "fansite.emails.backends.ReadableFileBackend"
_EMAIL_OPTIONS = {
    "EMAIL_FILE_PATH": "file_path",
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
}
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    _backend = _email["EMAIL_BACKEND"]
    if _backend == "django.core.mail.backends.filebased.EmailBackend":
        _backend = _READABLE_FILES
    MAILERS = {
        "default": {
            "BACKEND": _backend,
            "OPTIONS": {
                option: _email[key]
                for key, option in _EMAIL_OPTIONS.items()
                if _email.get(key) not in (None, "")
            },
        }
    }
elif DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": _READABLE_FILES,
            "OPTIONS": {"file_path": VAR_DIR / "mail"},
        }
    }
else:
    # Production without EMAIL_URL: hand mail to the server's own MTA.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25},
        }
    }
# Every mailer gives up on an unresponsive server after this many seconds, so a
# worker never hangs on one message.
for _mailer in MAILERS.values():
    if _mailer["BACKEND"].endswith("smtp.EmailBackend"):
        _mailer.setdefault("OPTIONS", {}).setdefault(
            "timeout", env.int("EMAIL_TIMEOUT", default=30)
        )

# Emails are rows queued with the write that causes them and sent after it
# commits, by a task (fansite.emails): the web request never talks to a mail
# server. Production runs django-tasks-db's worker (manage.py db_worker, see
# docs/deploy.md). Development (DEBUG, make run) sends each email as soon as its
# transaction commits, from the same process: no worker to start, and the
# file backend there cannot fail, so there is nothing to retry.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND",
            default="django.tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        )
    }
}
# Seconds to wait after each failed attempt (then give up): about two days.
EMAIL_RETRY_DELAYS = env.list(
    "EMAIL_RETRY_DELAYS", cast=int, default=[60, 300, 900, 3600, 10800, 21600, 43200, 86400]
)
# A claim older than this means the worker died while sending: queue it again.
EMAIL_SEND_LEASE = env.int("EMAIL_SEND_LEASE", default=600)
# A queued email still unsent this many seconds after it was due has lost its task
# (a worker killed between writing it and enqueueing it): requeue_email queues it again.
EMAIL_REQUEUE_AFTER = env.int("EMAIL_REQUEUE_AFTER", default=300)
# A post whose notifications (or notification emails) are not written this many seconds
# after it was posted has evidently lost its task (a worker killed while writing them):
# manage.py requeue_notifications enqueues it again. Keep it above the worker's
# longest queue wait, or the sweep duplicates tasks (harmless, but wasted work).
NOTIFICATION_REQUEUE_AFTER = env.int("NOTIFICATION_REQUEUE_AFTER", default=300)
# How long the record of a sent email (address, subject, time; not its text) is kept.
EMAIL_KEEP_DAYS = env.int("EMAIL_KEEP_DAYS", default=30)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=formataddr((SITE_NAME, "noreply@localhost"))
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Admin", address) for address in env.list("ADMIN_EMAILS", default=[])]

# --- Static files and uploads -------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Serve uploads from Django itself (development, or a small single server
# without a reverse proxy). Off in production by default: let nginx do it.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)

# Uploads go to MEDIA_ROOT (a local or shared folder) unless S3_BUCKET is set:
# then to S3-compatible object storage through django-storages, so every app
# server reads and writes the same files. Credentials come from the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables (or an instance role).
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            # A public base URL (CDN or bucket website) when the bucket is public;
            # otherwise files are served through signed, expiring URLs.
            "custom_domain": env.str("S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": env.bool("S3_SIGNED_URLS", default=True),
            "querystring_expire": env.int("S3_SIGNED_URL_SECONDS", default=3600),
            "default_acl": None,
            # Avatar names are random folders: never overwrite, never guess.
            "file_overwrite": False,
            "object_parameters": {
                "CacheControl": "public, max-age=31536000, immutable",
                "ContentDisposition": "inline",
            },
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 3600  # unhashed names; hashed ones are cached "forever"

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

# Avatar limits (fansite.users.avatars)
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=5 * 1024 * 1024)
AVATAR_MAX_PIXELS = env.int("AVATAR_MAX_PIXELS", default=25_000_000)
AVATAR_SIZES = (48, 128, 256)

# --- Discussions ------------------------------------------------------

# Pages whose query string people type (fansite.web.middleware): a NUL in it is
# dropped, not answered with 400, so the page can say what it searched for.
NUL_FORGIVING_PATHS = ["/search/"]

COMMENTS_PER_PAGE = env.int("COMMENTS_PER_PAGE", default=30)
# Replies shown under each comment on a thread or article page; the rest are one
# "show all replies" link away, so a page's size stays bounded.
REPLIES_SHOWN = env.int("REPLIES_SHOWN", default=3)
# Whole-page cache for thread, article, board and home pages (fansite.web.pagecache):
# keyed by reader and invalidated on every write; 0 turns it off. Off by default
# without a shared cache, where one worker could not drop another's pages.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300 if SHARED_CACHE else 0)
PAGE_CACHE_ALIAS = "default"
# Each worker also keeps its most recently used pages in memory (checked against
# the shared generations on every request, so never staler than the shared copy).
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_BYTES", default=16 * 1024 * 1024)
# How long a request for a page that another request is rendering waits for it
# rather than rendering it too (fansite/web/pagecache.py); 0: never wait.
PAGE_CACHE_WAIT_SECONDS = env.float("PAGE_CACHE_WAIT_SECONDS", default=0.5)
# Rendered comment cards (fansite.comments.cards), keyed by their whole content so
# never stale: kept this long in the shared cache, and each worker keeps the cards
# it drew last in its own memory. 0 turns them off.
CARD_CACHE_SECONDS = env.int("CARD_CACHE_SECONDS", default=24 * 60 * 60)
CARD_CACHE_LOCAL_BYTES = env.int("CARD_CACHE_LOCAL_BYTES", default=16 * 1024 * 1024)
THREADS_PER_PAGE = env.int("THREADS_PER_PAGE", default=30)
# Reaction counts on pages are recounted when older than this (fansite/reactions/
# state.py): others' reactions show up within it; a member's own show at once.
REACTION_COUNTS_SECONDS = env.int("REACTION_COUNTS_SECONDS", default=10)
# How long the "Top" order of a thread's comments stays the same before it is
# worked out again (fansite/comments/top.py); a reader's pages keep their snapshot.
TOP_SNAPSHOT_SECONDS = env.int("TOP_SNAPSHOT_SECONDS", default=60)

# The benchmark's W0 ceiling: a bare view at /bench/ceiling/ (tests/benchmarks,
# docs/performance.md). Never set on a public server.
BENCHMARK_CEILING = env.bool("BENCHMARK_CEILING", default=False)

# --- Limits and anti-abuse (see docs/limits.md) ----------------------------

# Rates per action, "<count>/<period>/<scope>": periods s, m, h, d (e.g. "5/10m/ip"),
# scopes user and ip. Counted in the cache below: use Redis when running more than
# one worker process, or every process counts on its own.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
RATE_LIMITS_CACHE = "default"
RATE_LIMITS = {
    "comment": ["10/m/user", "120/h/user", "30/m/ip"],
    "edit": ["20/m/user", "200/h/user", "60/m/ip"],
    "thread": ["3/m/user", "15/h/user", "10/m/ip"],
    "report": ["10/m/user", "60/h/user", "30/m/ip"],
    "avatar": ["5/10m/user", "20/d/user", "30/h/ip"],
    # A spoiler guard raising a thread's or comment's episode (docs/moderation.md).
    "guard": ["5/m/user", "30/h/user", "20/m/ip"],
    # Previews (the Preview button and the live preview while typing, docs/writing.md):
    # rendering only, nothing stored, but each one renders Markdown on the server.
    "preview": ["60/m/user", "600/h/user", "120/m/ip"],
    # Reactions toggle with one click: generous, but no script clicking all day.
    "react": ["60/m/user", "1000/h/user", "300/m/ip"],
    # Giving, changing or removing an episode rating.
    "rate": ["20/m/user", "200/h/user", "60/m/ip"],
}
# How many reverse proxies append the client address to X-Forwarded-For (nginx with
# $proxy_add_x_forwarded_for: 1). 0 trusts only REMOTE_ADDR; never set it higher than
# the real number of proxies, or clients can choose their own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth's own limits (login, sign-up, password reset) read the same count; behind
# nginx on a unix socket there is no REMOTE_ADDR at all, and allauth refuses to log
# anyone in without a client address.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Members younger than NEW_ACCOUNT_PERIOD may start only a few threads a day and, unless
# allowed, post no links. Staff are exempt.
NEW_ACCOUNT_PERIOD = timedelta(hours=env.int("NEW_ACCOUNT_PERIOD_HOURS", default=24))
NEW_ACCOUNT_MAX_THREADS_PER_DAY = env.int("NEW_ACCOUNT_MAX_THREADS_PER_DAY", default=2)
NEW_ACCOUNT_ALLOW_LINKS = env.bool("NEW_ACCOUNT_ALLOW_LINKS", default=False)

# The same member posting the same text again within this window is refused.
DUPLICATE_POST_WINDOW = timedelta(minutes=env.int("DUPLICATE_POST_WINDOW_MINUTES", default=10))

# Content reported by this many different members is hidden until a moderator looks.
MODERATION_AUTO_HIDE_REPORTS = env.int("MODERATION_AUTO_HIDE_REPORTS", default=3)
# A "spoiler without a tag" report from a member in good standing (an account older than
# this, with no upheld reports against them) counts this many times toward that number.
GOOD_STANDING_ACCOUNT_AGE = timedelta(days=env.int("GOOD_STANDING_ACCOUNT_AGE_DAYS", default=30))
MODERATION_TRUSTED_SPOILER_REPORT_WEIGHT = env.int(
    "MODERATION_TRUSTED_SPOILER_REPORT_WEIGHT", default=2
)
# A member whose spoiler reports moderators upheld this many times becomes a spoiler
# guard: they may raise (never lower) any thread's or comment's spoiler episode. 0: never.
SPOILER_GUARD_UPHELD_REPORTS = env.int("SPOILER_GUARD_UPHELD_REPORTS", default=5)

# --- End of limits and anti-abuse -------------------------------------------

# --- Security -----------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Cookies only over HTTPS. `make serve` turns this off to run production
# settings on plain http://127.0.0.1 locally; never turn it off on a server.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if S3_BUCKET:
    # Avatars come from the object store: allow its address (path-style and
    # virtual-hosted URLs, or the custom domain) for images, and nothing else.
    _s3 = _default_storage["OPTIONS"]
    if _s3["custom_domain"]:
        _media_origins = [f"https://{_s3['custom_domain']}"]
    elif _s3["endpoint_url"]:
        _endpoint = urlsplit(_s3["endpoint_url"])
        _media_origins = [
            f"{_endpoint.scheme}://{_endpoint.netloc}",
            f"{_endpoint.scheme}://{S3_BUCKET}.{_endpoint.netloc}",
        ]
    else:
        _media_origins = [f"https://{S3_BUCKET}.s3.amazonaws.com"]
        if _s3["region_name"]:
            _media_origins.append(f"https://{S3_BUCKET}.s3.{_s3['region_name']}.amazonaws.com")
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], *_media_origins]

PERMISSIONS_POLICY_DENIED_FEATURES = [
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
]

# --- Internationalisation -----------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Logging ------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
