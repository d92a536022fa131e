"""The task that sends email, run by the task worker (``manage.py db_worker``)."""

from django.tasks import task

from . import sending


@task()
def deliver_email(email_id):
    """Send one queued email (see fansite.emails.services). Safe to run more than
    once for the same email: only one run can claim it."""
    email = sending.claim(email_id)
    if email is None:
        return "not due"
    outcome = sending.send(email)
    if outcome.sent:
        return "sent"
    if outcome.retry_at is None:
        return "given up"
    enqueue_delivery(email_id, run_after=outcome.retry_at)
    return "will retry"


def enqueue_delivery(email_id, *, run_after=None):
    """Ask the task worker to send ``email_id`` (not before ``run_after``)."""
    task = deliver_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            # An immediate backend cannot wait: the periodic requeue sends it when due.
            return
        task = task.using(run_after=run_after)
    task.enqueue(email_id)
