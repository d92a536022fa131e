"""The fan-out task, run by the task worker (``manage.py db_worker``; in development
and tests the immediate backend runs it as the post's transaction commits)."""

from django.db import transaction
from django.tasks import task

from . import mail, services


@task()
def fan_out(comment_pk):
    """Write the notifications for one post. Safe to run more than once."""
    notified = services.notify_about_comment(comment_pk)
    return "done before" if notified is None else f"{notified} notified"


def fan_out_on_commit(sender, comment, **kwargs):
    """``comments.services.comment_posted`` receiver: one task per post, enqueued once
    the post is committed (a rolled-back post enqueues nothing). The request does
    nothing per follower."""
    comment_pk = comment.pk
    transaction.on_commit(lambda: fan_out.enqueue(comment_pk), robust=True)


@task()
def email_about_comment(comment_pk):
    """Write the emails about one post (``mail.email_about_comment``). Safe to run
    more than once."""
    queued = mail.email_about_comment(comment_pk)
    return "done before" if queued is None else f"{queued} emailed"


@task()
def email_about_moderation(notice_pk):
    """Email a moderators' notice if its member wants it. Safe to run more than once."""
    return "emailed" if mail.email_about_moderation(notice_pk) else "not emailed"
