"""Moderators, reported items and shortcuts shared by the moderation tests.

Plain functions rather than a conftest.py: other test modules in this package
are written alongside and bring their own fixtures.
"""

from django.contrib.auth.models import Group

from fansite.moderation.models import ModerationLog, Report
from fansite.moderation.services import report_item
from tests.comments.factories import CommentFactory
from tests.threads.factories import ThreadFactory, board
from tests.users.factories import UserFactory

__all__ = ["CommentFactory", "ThreadFactory", "board"]


def make_moderator(**kwargs):
    """A staff member in the Moderators group (created by migration), not a superuser."""
    moderator = UserFactory(is_staff=True, **kwargs)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return moderator


def logged_in(client, user):
    client.force_login(user)
    return client


def report_by(members, item, reason=Report.Reason.SPAM, details=""):
    """``members`` (a count or a list) each report ``item``; returns the reporters."""
    if isinstance(members, int):
        members = UserFactory.create_batch(members)
    for member in members:
        report_item(reporter=member, item=item, reason=reason, details=details)
    return members


def log_entries(**filters):
    return list(ModerationLog.objects.filter(**filters).order_by("pk"))


def only_log_entry(**filters):
    """The one log entry matching ``filters`` (fails if there are more or none)."""
    entries = log_entries(**filters)
    assert len(entries) == 1, entries
    return entries[0]
