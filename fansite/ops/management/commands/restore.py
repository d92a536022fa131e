"""``manage.py restore ARCHIVE [--noinput]``: put a backup back.

Replaces the configured database and the media folder with the archive's,
then migrates. See fansite/ops/backups/ and docs/backups.md.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from fansite.ops import backups


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded media with those in a backup archive made "
        "by `manage.py backup`, then run migrate. Asks for confirmation unless --noinput."
    )
    # The checks query the database, which may not exist yet: restoring is
    # how a new server gets one.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The fansite-….tar.gz file to restore.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, archive, interactive=True, **options):
        try:
            manifest = backups.read_manifest(archive)
            backups.check_restorable(manifest)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None

        self.stdout.write(self._describe(archive, manifest))
        if interactive and not self._confirmed():
            self.stdout.write("Restore cancelled; nothing was changed.")
            return

        try:
            result = backups.restore_backup(archive, report=self.stdout.write)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None

        archived = manifest.get("counts") or {}
        self.stdout.write(f"{'':10} {'backup':>8} {'now':>8}")
        differs = False
        for key, count in result.counts.items():
            expected = archived.get(key)
            mark = "" if expected == count else "  (differs)"
            differs = differs or bool(mark)
            self.stdout.write(f"{key:10} {expected!s:>8} {count:>8}{mark}")
        message = f"Restore finished in {result.seconds:.1f} s."
        if differs:
            self.stdout.write(
                self.style.WARNING(f"{message} Some counts differ from the backup's manifest.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(message))

    def _describe(self, archive, manifest):
        database = manifest["database"]
        engine = backups.ENGINE_NAMES[database["engine"]]
        versions = manifest.get("versions") or {}
        counts = ", ".join(f"{key} {n}" for key, n in (manifest.get("counts") or {}).items())
        media = manifest.get("media") or {}
        if media.get("included"):
            media_text = f"media: {backups.plural(media.get('files', 0), 'file')}"
        else:
            media_text = "media: not included (object storage)"
        settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
        if database["engine"] == "sqlite":
            target = f"the SQLite database {settings_dict['NAME']}"
        else:
            target = (
                f"the PostgreSQL database {settings_dict['NAME']!r} on "
                f"{settings_dict.get('HOST') or 'the local socket'}"
            )
        if backups.uses_object_storage():
            media_target = "(uploads are in object storage and are left alone)"
        else:
            media_target = f"and the uploads in {Path(settings.MEDIA_ROOT)}"
        return (
            f"Archive {archive}\n"
            f"  made {manifest.get('created_at')} by fansite {versions.get('fansite', '?')} "
            f"(Django {versions.get('django', '?')})\n"
            f"  {engine} database: {counts}\n"
            f"  {media_text}\n"
            f"This replaces everything in {target} {media_target} with the archive's "
            "content: anything written since the backup is lost. Stop the site first."
        )

    def _confirmed(self):
        try:
            answer = input("Type 'yes' to continue, or anything else to cancel: ")
        except EOFError:
            return False
        return answer.strip() == "yes"
