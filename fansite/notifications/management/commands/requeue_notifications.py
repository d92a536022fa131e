"""``manage.py requeue_notifications``: enqueue the fan-out again for posts whose
notifications were never written (a worker killed while writing them, or a task
that could not be enqueued). Harmless to run any time: a post's notifications are
written by one run only (``FanOut``). Run it every few minutes, next to
``requeue_email`` (docs/notifications.md)."""

from django.core.management.base import BaseCommand

from fansite.notifications.services import unnotified_comment_pks
from fansite.notifications.tasks import fan_out


class Command(BaseCommand):
    help = "Enqueue the notifications of recent posts that never got them."

    def handle(self, *args, **options):
        pks = unnotified_comment_pks()
        for pk in pks:
            fan_out.enqueue(pk)
        if options["verbosity"]:
            self.stdout.write(f"Enqueued the notifications of {len(pks)} post(s) again.")
