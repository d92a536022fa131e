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

The management commands ``backup`` and ``restore`` are thin wrappers.
"""

import datetime
import gzip
import importlib.metadata
import io
import json
import os
import platform
import posixpath
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import django
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


# --- PostgreSQL -----------------------------------------------------------------


def _pg_env(settings_dict):
    """Connection settings as libpq environment variables: the password never
    appears on a command line (where other users of the machine could see it)."""
    options = settings_dict.get("OPTIONS", {})
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    env = dict(os.environ)
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def _run_pg_tool(args, env, what):
    try:
        completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{args[0]} is not installed. Install the PostgreSQL client tools "
            "(e.g. apt-get install postgresql-client) of the server's major version."
        ) from None
    if completed.returncode != 0:
        message = completed.stderr.strip() or f"exit status {completed.returncode}"
        raise BackupError(f"{what} failed: {message}")
    return completed.stdout


def _snapshot_postgresql(staging):
    """``pg_dump`` of the snapshot in which the manifest's figures are counted.

    A read-only REPEATABLE READ transaction exports its snapshot and stays open
    while pg_dump reads the very same snapshot (``--snapshot``).
    """
    import psycopg

    connection = connections[DEFAULT_DB_ALIAS]
    settings_dict = connection.settings_dict
    dump_path = staging / DATABASE_FILES["postgresql"]
    try:
        raw = connection.get_new_connection(connection.get_connection_params())
    except psycopg.OperationalError as exc:
        raise _unreachable(settings_dict, exc) from None
    try:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            try:
                counts, migrations = _snapshot_facts(cursor, connection.ops.quote_name)
            except psycopg.errors.UndefinedTable as exc:
                raise _not_migrated(str(exc).strip().splitlines()[0]) from None
            _run_pg_tool(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(dump_path),
                    "--dbname",
                    settings_dict["NAME"],
                ],
                _pg_env(settings_dict),
                "pg_dump",
            )
    finally:
        # Closing ends the snapshot's transaction (nothing was written in it).
        raw.close()
    details = {"name": settings_dict["NAME"], "server_version": server_version}
    return dump_path, counts, migrations, details


def _unreachable(settings_dict, exc):
    return BackupError(
        f"Cannot connect to the PostgreSQL database {settings_dict['NAME']!r}: "
        f"{str(exc).strip()}. Check DATABASE_URL (the database must exist: createdb "
        "makes a new one). Nothing was changed."
    )


def _check_postgresql_target():
    """Connect before unpacking anything, so a wrong DATABASE_URL fails early."""
    from django.db import OperationalError

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        raise _unreachable(connection.settings_dict, exc) from None


def _dump_tables(dump_path, env):
    """Tables in a custom-format dump (also proves the file is one)."""
    listing = _run_pg_tool(
        ["pg_restore", "--list", str(dump_path)], env, "Reading the database dump"
    )
    tables = set()
    for line in listing.splitlines():
        if line.startswith(";") or ";" not in line:
            continue
        # "215; 1259 16390 TABLE public articles_article owner"
        words = line.split(";", 1)[1].split()
        if len(words) >= 5 and words[2] == "TABLE":
            tables.add(words[4])
    return tables


def _restore_postgresql(dump_path):
    connection = connections[DEFAULT_DB_ALIAS]
    settings_dict = connection.settings_dict
    env = _pg_env(settings_dict)
    dump_tables = _dump_tables(dump_path, env)
    if not dump_tables:
        raise BackupError("The database dump in the archive holds no tables. Nothing was changed.")

    # pg_restore --clean drops only what the dump holds. Tables it does not know
    # (from a newer version of the site) would stay behind, and block dropping
    # the tables they refer to, so say so before touching anything.
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        extra = sorted({row[0] for row in cursor.fetchall()} - dump_tables)
    connections.close_all()
    if extra:
        raise BackupError(
            f"The database {settings_dict['NAME']!r} has tables the backup does not: "
            f"{', '.join(extra)}. Restore into a new, empty database (createdb, then point "
            "DATABASE_URL at it), or drop those tables first. Nothing was changed."
        )

    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT_MS}".strip()
    try:
        _run_pg_tool(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                settings_dict["NAME"],
                str(dump_path),
            ],
            env,
            "pg_restore",
        )
    except BackupError as exc:
        raise BackupError(
            f"{exc}\nThe restore ran in one transaction, so the database was left as it "
            "was. If it timed out waiting for a lock, stop the site and try again."
        ) from None


# --- Media ----------------------------------------------------------------------


@dataclass
class MediaPlan:
    """What goes under media/ in the archive, and the manifest's description of it."""

    root: Path
    folders: list
    files: list
    description: dict


def _plan_media(media_root, report):
    if uses_object_storage():
        note = object_storage_note()
        report(f"Media: not included. {note}")
        description = {
            "storage": "s3",
            "bucket": settings.S3_BUCKET,
            "included": False,
            "note": note,
        }
        return MediaPlan(media_root, [], [], description)

    folders, files, total = [], [], 0
    if media_root.is_dir():
        for dirpath, dirnames, filenames in os.walk(media_root):
            dirnames.sort()
            folders.append(Path(dirpath))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if path.is_symlink() or not path.is_file():
                    report(f"  skipped (not a regular file): {path}")
                    continue
                files.append(path)
                total += path.stat().st_size
        report(f"Media: {plural(len(files), 'file')}, {file_size(total)} from {media_root}.")
    else:
        report(f"Media: {media_root} does not exist; nothing to include.")
    description = {
        "storage": "filesystem",
        "included": True,
        "source": str(media_root),
        "files": len(files),
        "bytes": total,
    }
    return MediaPlan(media_root, folders, files, description)


def _media_archive_name(root, path):
    relative = path.relative_to(root).as_posix()
    return MEDIA_NAME if relative == "." else f"{MEDIA_NAME}/{relative}"


# --- Making a backup ---------------------------------------------------------------


def _utc_now():
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _free_archive_path(directory, stamp):
    path = directory / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    number = 2
    while path.exists():
        path = directory / f"{ARCHIVE_PREFIX}{stamp}-{number}{ARCHIVE_SUFFIX}"
        number += 1
    return path


def _fsync_directory(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def create_backup(directory=None, *, report=None):
    """Write one archive into ``directory`` (default ``var/backups``).

    The archive is written under a hidden temporary name, flushed to disk and
    only then renamed to ``fansite-<UTC time>.tar.gz``, readable by its owner
    only. ``report`` receives one line per step.
    """
    report = report or (lambda line: None)
    started = time.monotonic()
    engine = database_engine()
    directory = Path(directory or default_directory()).resolve()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if not uses_object_storage() and directory.is_relative_to(media_root):
        raise BackupError(
            f"The backup folder {directory} is inside MEDIA_ROOT ({media_root}), where "
            "uploads are published. Choose another folder."
        )
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = _utc_now()

    with tempfile.TemporaryDirectory(dir=directory, prefix=".staging-") as staging:
        snapshot = _snapshot_sqlite if engine == "sqlite" else _snapshot_postgresql
        db_path, counts, migrations, details = snapshot(Path(staging))
        report(
            f"Database: {ENGINE_NAMES[engine]} {details.get('source') or details.get('name')}, "
            f"{file_size(db_path.stat().st_size)} "
            f"({', '.join(f'{key} {count}' for key, count in counts.items())})."
        )
        media = _plan_media(media_root, report)
        manifest = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "created_at": now.isoformat().replace("+00:00", "Z"),
            "database": {"engine": engine, "file": db_path.name, **details},
            "versions": {
                "fansite": app_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
            },
            "migrations": migrations,
            "counts": counts,
            "media": media.description,
        }
        path = _write_archive(directory, now, manifest, db_path, media, report)

    return BackupResult(
        path=path,
        size=path.stat().st_size,
        manifest=manifest,
        seconds=time.monotonic() - started,
    )


def _write_archive(directory, now, manifest, db_path, media, report):
    """The archive under a hidden name first, renamed once complete and on disk."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    # mkstemp creates the file readable and writable by its owner only.
    fd, partial = tempfile.mkstemp(dir=directory, prefix=f".{ARCHIVE_PREFIX}{stamp}.")
    partial = Path(partial)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(
                name=f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}",
                fileobj=raw,
                mode="w:gz",
                compresslevel=COMPRESS_LEVEL,
            ) as tar:
                _add_bytes(tar, MANIFEST_NAME, _manifest_bytes(manifest), now)
                tar.add(db_path, arcname=db_path.name)
                for folder in media.folders:
                    name = _media_archive_name(media.root, folder)
                    tar.add(folder, arcname=name, recursive=False)
                for file in media.files:
                    try:
                        tar.add(file, arcname=_media_archive_name(media.root, file))
                    except FileNotFoundError:
                        report(f"  skipped (deleted while backing up): {file}")
            raw.flush()
            os.fsync(raw.fileno())
        path = _free_archive_path(directory, stamp)
        os.replace(partial, path)
        _fsync_directory(directory)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def _manifest_bytes(manifest):
    return (json.dumps(manifest, indent=2) + "\n").encode()


def _add_bytes(tar, name, data, when):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(when.timestamp())
    tar.addfile(info, io.BytesIO(data))


# --- Reading and checking an archive -------------------------------------------------

_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, ValueError)


def _not_a_backup(path, reason):
    return BackupError(f"{path} is not a fansite backup: {reason}. Nothing was changed.")


def _read_manifest_member(tar, path):
    member = tar.next()
    if member is None or member.name != MANIFEST_NAME or not member.isfile():
        raise _not_a_backup(path, f"it does not start with {MANIFEST_NAME}")
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise _not_a_backup(path, f"{MANIFEST_NAME} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _not_a_backup(path, f"{MANIFEST_NAME} does not describe a {FORMAT_NAME}")
    return manifest


def _open_archive(path):
    path = Path(path)
    if not path.exists():
        raise BackupError(f"No such file: {path}")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    return path


def read_manifest(path):
    """The archive's manifest (its first member), checked to be a fansite backup's."""
    path = _open_archive(path)
    try:
        with (
            open(path, "rb") as raw,
            gzip.GzipFile(fileobj=raw) as gz,
            tarfile.open(fileobj=gz, mode="r|") as tar,
        ):
            return _read_manifest_member(tar, path)
    except BackupError:
        raise
    except _READ_ERRORS as exc:
        raise _not_a_backup(path, f"it cannot be read as a .tar.gz archive ({exc})") from None


def check_restorable(manifest):
    """Raise BackupError unless this site can restore an archive with ``manifest``."""
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise BackupError(
            "The archive's manifest has no valid format_version. Nothing was changed."
        )
    if version > FORMAT_VERSION:
        raise BackupError(
            f"The archive was made by a newer fansite (backup format {version}); this one "
            f"reads format {FORMAT_VERSION}. Restore it with that version. Nothing was changed."
        )
    database = manifest.get("database") or {}
    archived = database.get("engine")
    if archived not in DATABASE_FILES or database.get("file") != DATABASE_FILES[archived]:
        raise BackupError("The archive's manifest names no known database. Nothing was changed.")
    configured = database_engine()
    if archived != configured:
        raise BackupError(
            f"The archive holds a {ENGINE_NAMES[archived]} database, but this site is "
            f"configured for {ENGINE_NAMES[configured]} (DATABASE_URL). Restore it into a "
            f"site that uses {ENGINE_NAMES[archived]}. Nothing was changed."
        )
    unknown = _unknown_migrations(manifest.get("migrations") or {})
    if unknown:
        raise BackupError(
            "The archive was made by a newer version of fansite: these migrations do not "
            f"exist here: {', '.join(unknown)}. Restore it with that version (or newer). "
            "Nothing was changed."
        )


def _unknown_migrations(migrations):
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [
        f"{app}.{name}"
        for app, name in sorted(migrations.items())
        if app in loader.migrated_apps and (app, name) not in loader.disk_migrations
    ]


def _member_kind(member, database_file):
    """``"database"`` or ``"media"``; anything else refuses the archive."""
    name = member.name
    normal = posixpath.normpath(name)
    if name.startswith("/") or normal != name.rstrip("/") or normal.split("/")[0] == "..":
        raise BackupError(f"The archive holds an unsafe path ({name!r}). Nothing was changed.")
    if name == database_file and member.isfile():
        return "database"
    if normal == MEDIA_NAME and member.isdir():
        return "media"
    if normal.startswith(MEDIA_NAME + "/") and (member.isfile() or member.isdir()):
        return "media"
    raise BackupError(
        f"The archive holds an unexpected entry ({name!r}); fansite backups hold only "
        f"{MANIFEST_NAME}, the database file and regular files under {MEDIA_NAME}/. "
        "Nothing was changed."
    )


def _unpack(path, staging, *, with_media):
    """Unpack the archive into ``staging``, checking every member and the gzip
    checksum; return the manifest found in it."""
    database_file = None
    try:
        with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw) as gz:
            with tarfile.open(fileobj=gz, mode="r|") as tar:
                manifest = _read_manifest_member(tar, path)
                check_restorable(manifest)
                database_file = manifest["database"]["file"]
                found_database = False
                # tar.next(), not iteration: iterating starts again at the manifest.
                while (member := tar.next()) is not None:
                    kind = _member_kind(member, database_file)
                    if kind == "media" and not with_media:
                        continue
                    found_database = found_database or kind == "database"
                    # The "data" filter is the second line of defence: no absolute
                    # paths, nothing outside staging, no special files or modes.
                    tar.extract(member, staging, filter="data")
            # Reading to the very end makes gzip verify its checksum and length.
            while gz.read(1 << 20):
                pass
    except BackupError:
        raise
    except _READ_ERRORS as exc:
        raise BackupError(
            f"Could not unpack {path} ({exc}): it is damaged or not a fansite backup. "
            "Nothing was changed."
        ) from None
    if not found_database:
        raise BackupError(f"{path} holds no {database_file}. Nothing was changed.")
    return manifest


# --- Restoring ---------------------------------------------------------------------


def _match_ownership(tree, like):
    """Give every folder and file under ``tree`` the owner of ``like`` (when running
    as root) and the site's modes, so a restore run by root leaves uploads the web
    server can read and the application can write, as before."""
    reference = like.stat()
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    file_mode = settings.FILE_UPLOAD_PERMISSIONS or 0o644
    for folder, _subfolders, files in os.walk(tree):
        entries = [(Path(folder), stat.S_IMODE(reference.st_mode))]
        entries += [(Path(folder) / name, file_mode) for name in files]
        for entry, mode in entries:
            if as_root:
                os.chown(entry, reference.st_uid, reference.st_gid)
            os.chmod(entry, mode)


def _swap_media(unpacked, media_root):
    """Put the unpacked media folder in place of ``media_root``; the old one is
    renamed aside first and deleted only once the new one is in place."""
    old = None
    if media_root.exists():
        _match_ownership(unpacked, media_root)
        old = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=f".{media_root.name}-old-"))
        old.rmdir()
        os.rename(media_root, old)
    try:
        os.rename(unpacked, media_root)
    except OSError:
        if old is not None:
            os.rename(old, media_root)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def current_counts():
    return {
        key: apps.get_model(label)._base_manager.count() for key, label in COUNTED_MODELS.items()
    }


def pending_migrations():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def restore_backup(path, *, report=None):
    """Replace the configured database and media folder with the archive's.

    Everything is unpacked and checked before anything changes. The media
    folder is unpacked next to ``MEDIA_ROOT`` so the swap is a rename. Then
    ``migrate`` brings an older backup up to the current schema.
    """
    from django.core.management import call_command

    report = report or (lambda line: None)
    started = time.monotonic()
    path = _open_archive(path)
    manifest = read_manifest(path)
    check_restorable(manifest)
    engine = manifest["database"]["engine"]

    if engine == "postgresql":
        _check_postgresql_target()

    archived_media = (manifest.get("media") or {}).get("included", False)
    with_media = archived_media and not uses_object_storage()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if with_media:
        media_root.parent.mkdir(parents=True, exist_ok=True)
        staging_parent = media_root.parent
    else:
        staging_parent = path.resolve().parent
    try:
        staging = Path(tempfile.mkdtemp(dir=staging_parent, prefix=f".{media_root.name}-restore-"))
    except OSError as exc:
        raise BackupError(
            f"Cannot unpack next to the media folder ({exc.strerror}: {staging_parent}). "
            "Run the restore as a user who may write there (docs/backups.md). "
            "Nothing was changed."
        ) from None
    keep_staging = False
    try:
        report("Unpacking and checking the archive…")
        manifest = _unpack(path, staging, with_media=with_media)
        database_path = staging / manifest["database"]["file"]
        if engine == "sqlite":
            _check_sqlite_file(database_path)
            _restore_sqlite(database_path)
        else:
            _restore_postgresql(database_path)
        report(f"Database restored ({ENGINE_NAMES[engine]}).")

        media_restored = False
        if with_media:
            unpacked = staging / MEDIA_NAME
            unpacked.mkdir(exist_ok=True)
            try:
                _swap_media(unpacked, media_root)
            except OSError as exc:
                keep_staging = True
                raise BackupError(
                    f"The database was restored, but the media folder could not be swapped "
                    f"({exc}). The old media are still in {media_root}; the archive's are "
                    f"in {unpacked}: move them into place by hand."
                ) from None
            media_restored = True
            report(f"Media restored into {media_root}.")
        elif archived_media:
            report(
                "Media: the archive holds uploaded files, but this site stores uploads in "
                f"object storage (S3 bucket {settings.S3_BUCKET!r}); they were not copied "
                "there. Unpack media/ from the archive and upload it if you need it."
            )
        else:
            report(f"Media: not in this archive. {(manifest.get('media') or {}).get('note', '')}")
    finally:
        if not keep_staging:
            shutil.rmtree(staging, ignore_errors=True)

    pending = pending_migrations()
    if pending:
        report(
            f"Applying {plural(len(pending), 'migration')} newer than the backup: "
            f"{', '.join(pending)}…"
        )
        call_command("migrate", interactive=False, verbosity=0)
    else:
        report("Migrations: the backup is at the current schema.")

    return RestoreResult(
        manifest=manifest,
        counts=current_counts(),
        applied_migrations=pending,
        media_restored=media_restored,
        seconds=time.monotonic() - started,
    )
