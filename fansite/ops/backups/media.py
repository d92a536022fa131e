"""The uploaded files: what goes into an archive, and under which names."""

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .common import MEDIA_NAME, file_size, object_storage_note, plural, uses_object_storage

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
