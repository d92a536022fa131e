"""``manage.py backup [--dir DIR]``: the database and uploads in one archive.

See fansite/ops/backups/ for what the archive holds and docs/backups.md for
how to schedule backups and restore them.
"""

from django.core.management.base import BaseCommand, CommandError

from fansite.ops import backups


class Command(BaseCommand):
    help = (
        "Write one archive, fansite-<UTC time>.tar.gz, holding a consistent copy of the "
        "database, the uploaded media and a manifest. Safe while the site is serving."
    )
    # The system checks would only fail less clearly than the backup itself
    # when the database is missing or unreachable.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="directory",
            default=None,
            help="Folder for the archive (default: var/backups/ in the project).",
        )

    def handle(self, *args, directory=None, verbosity=1, **options):
        report = self.stdout.write if verbosity >= 1 else None
        try:
            result = backups.create_backup(directory, report=report)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {result.path} ({backups.file_size(result.size)}, "
                f"{result.seconds:.1f} s)"
            )
        )
