"""Restoring: replace the database and the media folder with an archive's."""

import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from .common import (
    COUNTED_MODELS,
    ENGINE_NAMES,
    MEDIA_NAME,
    BackupError,
    RestoreResult,
    plural,
    uses_object_storage,
)
from .postgresql import _check_postgresql_target, _restore_postgresql
from .reading import _open_archive, _unpack, check_restorable, read_manifest
from .sqlite import _check_sqlite_file, _restore_sqlite

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
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def restore_backup(path, *, report=None):
    """Replace the configured database and media folder with the archive's.

    Everything is unpacked and checked before anything changes. The media
    folder is unpacked next to ``MEDIA_ROOT`` so the swap is a rename. Then
    ``migrate`` brings an older backup up to the current schema.
    """
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
