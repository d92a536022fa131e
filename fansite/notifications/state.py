"""What the header and the follow buttons show for a member, kept in the cache.

Every page a member sees carries their unread count in the header, and thread and
board pages a Follow or Unfollow button. Both vary per member and change without
the page's own content changing, so they are not part of the cached page: the page
holds a marker, and ``markers.NotificationMarkers`` fills it in on every
response, cached or not. The values come from the cache: one round trip, and no
query at all for a member whose count is known (zero included). A miss costs one
query, and every write that changes a value drops it (after commit), so the next
page asks the database again.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from fansite.web import statements

from .models import Follow, Notification

UNREAD_KEY = "notifications:unread:{pk}"
FOLLOWS_KEY = "notifications:follows:{pk}"
# A bound, in case a drop is ever lost (a cache outage): a day at most.
SECONDS = 24 * 60 * 60


def marker_keys(member):
    """The cache keys ``markers`` reads."""
    return [UNREAD_KEY.format(pk=member.pk), FOLLOWS_KEY.format(pk=member.pk)]


# What every member's first page reads, the statements written once (fansite.web.statements).
_unread = statements.Prepared(
    lambda pk: (
        Notification.objects.for_member(get_user_model()(pk=pk)).unread().order_by().values("pk")
    )
)
_follows = statements.Prepared(
    lambda pk: Follow.objects.active().filter(member_id=pk).values_list("thread_id", "board_id")
)
_unread_and_follows = statements.CountAndRows(_unread, _follows)


def markers(member, *, with_follows, writes, found=None):
    """``(unread count, follows or None)`` in one cache round trip: what a page's
    markers need (the follows only when it has a Follow button). ``found``: what
    the cache held for ``marker_keys`` when the page was read with them.
    What was read from the database is left in ``writes`` for the cache
    (fansite.web.markers.writes: stored with the page's other writes)."""
    unread_key, follows_key = marker_keys(member)
    if found is None:
        found = cache.get_many([unread_key, follows_key] if with_follows else [unread_key])
    count = found.get(unread_key)
    followed = found.get(follows_key) if with_follows else None
    if count is None and with_follows and followed is None:
        # Neither known (a member's first page in a day): one statement for both.
        count, rows = _unread_and_follows.run(member.pk)
        followed = _followed(rows)
        writes[unread_key] = (count, SECONDS)
        writes[follows_key] = (followed, SECONDS)
    if count is None:
        count = _unread.count(member.pk)
        writes[unread_key] = (count, SECONDS)
    if with_follows and followed is None:
        followed = _followed(_follows.rows(member.pk))
        writes[follows_key] = (followed, SECONDS)
    return count, followed


def _followed(rows):
    """``(thread ids, board ids)`` the member follows, from their follows' rows."""
    threads, boards = set(), set()
    for thread_pk, board_pk in rows:
        if thread_pk is not None:
            threads.add(thread_pk)
        else:
            boards.add(board_pk)
    return frozenset(threads), frozenset(boards)


def _forget(keys):
    """Drop ``keys`` now and again once the current transaction commits: a page that
    reads the database in between would otherwise cache the value from before."""
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


def forget_unread(member_pks):
    """Drop the cached counts of these members."""
    _forget([UNREAD_KEY.format(pk=pk) for pk in member_pks])


def forget_follows(member_pk):
    _forget([FOLLOWS_KEY.format(pk=member_pk)])
