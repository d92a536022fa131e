"""What every part of the backups shares: the archive format, errors, results,
and facts about the configured database and storage."""

import importlib.metadata
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

FORMAT_NAME = "fansite-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MEDIA_NAME = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ARCHIVE_PREFIX = "fansite-"
ARCHIVE_SUFFIX = ".tar.gz"
COMPRESS_LEVEL = 6

# What the manifest counts, and the model holding each.
COUNTED_MODELS = {
    "users": settings.AUTH_USER_MODEL,
    "articles": "articles.Article",
    "threads": "threads.Thread",
    "comments": "comments.Comment",
}

# A restore waits at most this long for a lock held by the running site, then
# gives up (and changes nothing) rather than hang.
PG_LOCK_TIMEOUT_MS = 30_000


class BackupError(Exception):
    """Something is wrong with the set-up or the archive; the message says what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    manifest: dict
    seconds: float


@dataclass
class RestoreResult:
    manifest: dict
    counts: dict
    applied_migrations: list = field(default_factory=list)
    media_restored: bool = False
    seconds: float = 0.0


def default_directory():
    return Path(settings.BASE_DIR) / "var" / "backups"


def plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def file_size(num_bytes):
    """``1.4 MB``, ``820 KB``, ``12 bytes``."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if num_bytes >= factor:
            return f"{num_bytes / factor:.1f} {unit}"
    return f"{num_bytes} bytes"


def database_engine(alias=DEFAULT_DB_ALIAS):
    """``"sqlite"`` or ``"postgresql"``; anything else cannot be backed up here."""
    vendor = connections[alias].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL; this site uses {vendor!r}. "
            "Use that database's own backup tools."
        )
    return vendor


def uses_object_storage():
    return bool(getattr(settings, "S3_BUCKET", ""))


def object_storage_note():
    return (
        f"Uploaded media live in object storage (S3 bucket {settings.S3_BUCKET!r}) and are "
        "not in this archive: back them up there, with bucket versioning or replication "
        "to a second bucket."
    )


def app_version():
    try:
        return importlib.metadata.version("fansite")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# --- Facts about a database snapshot ------------------------------------------


def _snapshot_facts(cursor, quote_name):
    """Row counts and latest migrations, read through ``cursor`` (a DB-API cursor
    on the snapshot being archived, so they describe exactly that snapshot)."""
    counts = {}
    for key, label in COUNTED_MODELS.items():
        table = apps.get_model(label)._meta.db_table
        cursor.execute(f"SELECT COUNT(*) FROM {quote_name(table)}")
        counts[key] = cursor.fetchone()[0]
    # Migration names start with a zero-padded number, so the greatest name is
    # the latest one.
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    migrations = dict(cursor.fetchall())
    return counts, migrations


def _not_migrated(exc):
    return BackupError(
        f"The database has no fansite tables to back up ({exc}). "
        "Is DATABASE_URL right? A new site needs `manage.py migrate` first."
    )
