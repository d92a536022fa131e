"""``manage.py send_digests``: send each member whose morning it is their daily digest.

Run every hour (deploy/fansite-digest.timer): a member's digest goes with the
first run from 07:00 in their time zone. Harmless to run any time, or on several
servers at once: each member gets at most one digest per day of their calendar.
"""

from django.core.management.base import BaseCommand

from fansite.emails.digests import SEND_FROM_HOUR, digest_sources, send_digests


class Command(BaseCommand):
    help = "Send the daily digest to the members whose morning it is and who have not had it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-hour",
            type=int,
            default=SEND_FROM_HOUR,
            choices=range(24),
            metavar="HOUR",
            help=f"The local hour from which a member's digest of the day goes "
            f"(default {SEND_FROM_HOUR}).",
        )

    def handle(self, *args, **options):
        if not digest_sources():
            if options["verbosity"]:
                self.stdout.write("No digest sources are registered: nothing to send.")
            return
        report = send_digests(from_hour=options["from_hour"])
        if options["verbosity"]:
            self.stdout.write(
                f"Digests: {report.sent} sent, {report.empty} with nothing to tell, "
                f"{report.done_already} sent earlier today, {report.not_yet} not yet "
                f"their morning, {report.failed} failed."
            )
        if report.failed:
            # A non-zero exit shows in systemctl status and the journal.
            raise SystemExit(1)
