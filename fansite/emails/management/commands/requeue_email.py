"""``manage.py requeue_email``: queue again the emails a stopped worker left behind.

Run when the task worker starts and every few minutes (deploy/fansite-worker.service,
deploy/fansite-requeue.timer). Harmless to run any time: an email is only ever
sent by the one run that claims it.
"""

from django.core.management.base import BaseCommand

from fansite.emails.services import prune_sent, requeue_stalled, send_queued_now


class Command(BaseCommand):
    help = (
        "Queue again emails left half-sent by a stopped worker, or whose task was lost; "
        "forget emails sent more than EMAIL_KEEP_DAYS ago."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Also try every queued email now, not at its next attempt "
            "(once the mail server is fixed).",
        )

    def handle(self, *args, **options):
        count = requeue_stalled()
        if options["now"]:
            count += send_queued_now()
        pruned = prune_sent()
        if options["verbosity"]:
            self.stdout.write(f"Queued {count} email(s) again; forgot {pruned} sent long ago.")
