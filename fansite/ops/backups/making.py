"""Making a backup: one archive, written under a hidden name and renamed when complete."""

import datetime
import io
import json
import os
import platform
import tarfile
import tempfile
import time
from pathlib import Path

import django
from django.conf import settings

from .common import (
    ARCHIVE_PREFIX,
    ARCHIVE_SUFFIX,
    COMPRESS_LEVEL,
    ENGINE_NAMES,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    BackupError,
    BackupResult,
    app_version,
    database_engine,
    default_directory,
    file_size,
    uses_object_storage,
)
from .media import _media_archive_name, _plan_media
from .postgresql import _snapshot_postgresql
from .sqlite import _snapshot_sqlite

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
