"""SQLite: a consistent online copy with the backup API, and restoring one."""

import sqlite3
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

from .common import DATABASE_FILES, BackupError, _not_migrated, _snapshot_facts

# --- SQLite -------------------------------------------------------------------


def _sqlite_path(alias=DEFAULT_DB_ALIAS):
    name = str(connections[alias].settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"Cannot back up or restore the SQLite database {name!r}: not a file.")
    return Path(name)


def _snapshot_sqlite(staging):
    """Copy the live database with SQLite's online backup API.

    Copying every page in one step reads one consistent snapshot; in WAL mode
    that blocks neither the site's readers nor its writers.
    """
    source_path = _sqlite_path()
    if not source_path.is_file():
        raise BackupError(
            f"The SQLite database {source_path} does not exist. "
            "Is DATABASE_URL right? A new site needs `manage.py migrate` first."
        )
    copy_path = staging / DATABASE_FILES["sqlite"]
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(copy_path)
    try:
        source.backup(copy, pages=-1)
        # A self-contained file: no -wal companion needed to read it.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        try:
            counts, migrations = _snapshot_facts(cursor, _quote)
        except sqlite3.OperationalError as exc:
            raise _not_migrated(exc) from None
    finally:
        copy.close()
        source.close()
    details = {"source": str(source_path), "sqlite_version": sqlite3.sqlite_version}
    return copy_path, counts, migrations, details


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def _check_sqlite_file(path):
    db = sqlite3.connect(path)
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        result = str(exc)
    finally:
        db.close()
    if result != "ok":
        raise BackupError(
            f"The database in the archive is damaged ({result}). Nothing was changed."
        )


def _restore_sqlite(copy_path):
    """Replace the configured database's content with the copy, in one step.

    Other processes that have the file open (a running site) see the new
    content on their next query; nobody ever sees half of it.
    """
    connections.close_all()
    target_path = _sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy_path)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        source.backup(target, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(
            f"Could not write the database {target_path}: {exc}. "
            "It was left as it was; stop the site and try again."
        ) from None
    finally:
        target.close()
        source.close()
