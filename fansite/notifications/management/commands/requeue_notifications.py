"""``manage.py requeue_notifications``: enqueue the fan-out again for posts whose
notifications were never written, and the email task for posts and moderators'
notices whose emails were never written (a worker killed while writing them, or a
task that could not be enqueued). Harmless to run any time: each is written by one
run only (``FanOut``, ``CommentEmail``, ``Notification.email_checked_at``). Run it
every few minutes, next to ``requeue_email`` (docs/notifications.md)."""

from django.core.management.base import BaseCommand

from fansite.notifications.services import unemailed, unnotified_comment_pks
from fansite.notifications.tasks import email_about_comment, email_about_moderation, fan_out


class Command(BaseCommand):
    help = "Enqueue the notifications of recent posts that never got them."

    def handle(self, *args, **options):
        pks = unnotified_comment_pks()
        for pk in pks:
            fan_out.enqueue(pk)
        comment_pks, notice_pks = unemailed()
        for pk in comment_pks:
            email_about_comment.enqueue(pk)
        for pk in notice_pks:
            email_about_moderation.enqueue(pk)
        if options["verbosity"]:
            self.stdout.write(
                f"Enqueued the notifications of {len(pks)} post(s) again, and the emails of "
                f"{len(comment_pks)} post(s) and {len(notice_pks)} moderators' notice(s)."
            )
