"""The fan-out task, run by the task worker (``manage.py db_worker``; in development
and tests the immediate backend runs it as the post's transaction commits)."""

from django.db import transaction
from django.tasks import task

from . import services


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
