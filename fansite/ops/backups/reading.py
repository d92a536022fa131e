"""Reading and checking an archive before anything is changed."""

import gzip
import json
import posixpath
import tarfile
import zlib
from pathlib import Path

from django.db.migrations.loader import MigrationLoader

from .common import (
    DATABASE_FILES,
    ENGINE_NAMES,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_NAME,
    BackupError,
    database_engine,
)

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
