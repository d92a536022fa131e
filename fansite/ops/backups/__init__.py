"""Backups of the whole site in one archive, and restoring them.

An archive (``fansite-<UTC time>.tar.gz``) holds, in this order:

``manifest.json``
    What the archive is: format version, when it was made, the database
    engine, Django and fansite versions, the latest applied migration of each
    app and the number of members, articles, threads and comments, all counted
    in the same snapshot as the database copy.
``database.sqlite3`` or ``database.pgdump``
    SQLite: a consistent copy made with SQLite's online backup API, safe while
    the site is serving. PostgreSQL: ``pg_dump --format=custom``.
``media/``
    The uploaded files (``MEDIA_ROOT``), unless uploads live in object storage
    (``S3_BUCKET``), which has to be backed up where it is.

Restoring checks everything it can before changing anything: the manifest, the
engine, every member name (no paths outside the archive, no links), the gzip
checksum and the database file itself. Only then is the database replaced (in
one step: SQLite's backup API, or ``pg_restore --single-transaction``) and the
media folder swapped for the unpacked one.

The management commands ``backup`` and ``restore`` are thin wrappers. The parts:
``common`` (format, errors, results), ``sqlite`` and ``postgresql`` (copying and
replacing each database), ``media``, ``making`` (writing an archive), ``reading``
(checking and unpacking one) and ``restoring``.
"""

from .common import (
    ENGINE_NAMES,
    BackupError,
    BackupResult,
    RestoreResult,
    file_size,
    plural,
    uses_object_storage,
)
from .making import create_backup
from .reading import check_restorable, read_manifest
from .restoring import restore_backup

__all__ = [
    "ENGINE_NAMES",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "check_restorable",
    "create_backup",
    "file_size",
    "plural",
    "read_manifest",
    "restore_backup",
    "uses_object_storage",
]
