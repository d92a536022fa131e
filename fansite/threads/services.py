from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fansite.spoilers.levels import resolve_spoiler_level
from fansite.users.standing import PostingRefused, new_member_until
from fansite.web import statements
from fansite.web.ratelimits import wait_text

from .models import Board, Thread, ThreadRead


def ensure_episode_board(episode):
    """The board for an episode, created on first need."""
    board, _created = Board.objects.get_or_create(
        episode=episode,
        defaults={
            "kind": Board.Kind.EPISODE,
            "title": _("Episode %(number)s") % {"number": episode.position},
            "slug": f"episode-{episode.position}",
            "description": _("Discussion of episode %(number)s. Spoilers up to it are fine.")
            % {"number": episode.position},
        },
    )
    return board


def ensure_can_start_thread(author):
    """Refuse a new member's thread beyond ``NEW_ACCOUNT_MAX_THREADS_PER_DAY`` in 24 hours."""
    until = new_member_until(author)
    if until is None:
        return
    allowed = settings.NEW_ACCOUNT_MAX_THREADS_PER_DAY
    now = timezone.now()
    day = timedelta(days=1)
    started = list(
        Thread.objects.filter(author=author, created_at__gt=now - day)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: max(allowed, 1)]
    )
    if len(started) < allowed:
        return
    # The next thread is allowed when the oldest counted one is a day old, or when
    # the member stops being new, whichever comes first.
    next_at = min(started[-1] + day, until) if started else until
    raise PostingRefused(
        ngettext(
            "New members can start %(count)d thread a day. You can start another in %(wait)s.",
            "New members can start %(count)d threads a day. You can start another in %(wait)s.",
            allowed,
        )
        % {"count": allowed, "wait": wait_text((next_at - now).total_seconds())}
    )


def open_thread(*, board, author, title, spoils_episode=None):
    """Create a thread on a board and count it there. Its opening post is written
    by ``fansite.comments.services.start_thread``, which calls this: use that."""
    thread = Thread.objects.create(
        board=board,
        author=author,
        title=title,
        spoils_episode_id=resolve_spoiler_level(board, spoils_episode),
    )
    Board.objects.filter(pk=board.pk).update(thread_count=F("thread_count") + 1)
    return thread


def recount_boards(*board_ids):
    """Set boards' thread and post counts and latest activity from their visible
    threads, in one UPDATE: after a thread is hidden, restored, moved or deleted.
    Hidden threads and their posts count nowhere a member can see.

    Posts are counted through the threads' ``comments`` relation: the comments
    app sits above this one and is never imported here."""
    visible = Thread.objects.filter(board=OuterRef("pk"), is_hidden=False)
    Board.objects.filter(pk__in=board_ids).update(
        thread_count=Coalesce(
            Subquery(visible.values("board").annotate(n=Count("pk")).values("n")), 0
        ),
        post_count=Coalesce(
            Subquery(visible.values("board").annotate(n=Count("comments")).values("n")), 0
        ),
        last_activity_at=Subquery(
            visible.order_by("-last_activity_at").values("last_activity_at")[:1]
        ),
    )


@transaction.atomic
def delete_thread(*, thread):
    """Delete a thread and its comments, keeping its board's counters true."""
    board_id = thread.board_id
    thread.delete()
    recount_boards(board_id)


# One statement, so two page views of the same member at once cannot lose
# progress (no read-modify-write) and a marker never moves backwards: the row is
# created, or updated only when the new id is larger. PostgreSQL and SQLite both
# speak this dialect of INSERT … ON CONFLICT.
_ADVANCE_SQL = """
INSERT INTO {table} ({member}, {thread}, {seen}, {updated})
{rows}
ON CONFLICT ({member}, {thread}) DO UPDATE
SET {seen} = excluded.{seen}, {updated} = excluded.{updated}
WHERE {table}.{seen} < excluded.{seen}
"""


def _advance_sql(rows):
    quote = connection.ops.quote_name
    return _ADVANCE_SQL.format(
        table=quote(ThreadRead._meta.db_table),
        member=quote("member_id"),
        thread=quote("thread_id"),
        seen=quote("last_seen_comment_id"),
        updated=quote("updated_at"),
        rows=rows,
    )


# A member's read marker of a thread, kept in the cache so that their view of a
# cached thread page reads it with the page (fansite.threads.markers): ``(the id,)``,
# the id None for a thread they never opened. A day at most.
READ_SECONDS = 24 * 60 * 60


def read_key(member_pk, thread_pk) -> str:
    return f"threads:read:{member_pk}:{thread_pk}"


def mark_seen(*, member, thread, comment_id, seen_before=None):
    """Record that ``member`` has been shown ``thread`` (a Thread or its pk) up to
    comment ``comment_id``.

    ``seen_before`` is the marker the page was rendered with: when ``comment_id``
    is not past it nothing is written, so a page view costs at most one write
    (none for visitors, none when nothing new was shown). It drops no cached
    page: lists fill in what is new after the cache (fansite.comments.markers).
    """
    if not member.is_authenticated or comment_id is None:
        return False
    if seen_before is not None and comment_id <= seen_before:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            _advance_sql("VALUES (%s, %s, %s, %s)"),
            [member.pk, getattr(thread, "pk", thread), comment_id, timezone.now()],
        )
        return cursor.rowcount != 0


# PostgreSQL: the marker as it was and the move, in one statement (one round trip
# for a member's first view of a thread page served from the cache). Every part of
# a WITH sees the database as the statement began, so ``before`` is the marker
# from before the INSERT, whichever way it goes.
_SEE_SQL = """
WITH before AS (
  SELECT {seen} FROM {table} WHERE {member} = %s AND {thread} = %s
), moved AS (
  {advance}
  RETURNING 1
)
SELECT (SELECT {seen} FROM before), EXISTS (SELECT 1 FROM moved)
"""


@lru_cache(maxsize=1)
def _see_sql():
    quote = connection.ops.quote_name
    return _SEE_SQL.format(
        seen=quote("last_seen_comment_id"),
        table=quote(ThreadRead._meta.db_table),
        member=quote("member_id"),
        thread=quote("thread_id"),
        advance=_advance_sql("VALUES (%s, %s, %s, %s)").strip(),
    )


def see(*, member, thread_pk, comment_id):
    """Move ``member``'s marker of the thread to ``comment_id`` if it is not already
    further along, like ``mark_seen``, and say where it stood: ``(the marker before,
    whether it moved)``, the marker None for a thread never opened. One statement
    on PostgreSQL; SQLite, where a WITH cannot write, reads then writes."""
    if connection.vendor != "postgresql":
        before = ThreadRead.objects.last_seen(member, thread_pk)
        moved = mark_seen(
            member=member, thread=thread_pk, comment_id=comment_id, seen_before=before
        )
        return before, moved
    # On the connection's preparing cursor (fansite.web.statements): planned once
    # per connection, not on every member's first view.
    [(before, moved)] = statements.run(
        _see_sql(), [member.pk, thread_pk, member.pk, thread_pk, comment_id, timezone.now()]
    )
    return before, moved


@transaction.atomic
def mark_board_read(*, member, board, up_to):
    """Mark every thread on ``board`` as read by ``member`` up to comment ``up_to``
    (the newest comment on the site when they asked): one statement whatever the
    number of threads. Markers already further along stay where they are."""
    if up_to is None:
        return
    # The WHERE on the SELECT is what SQLite needs to parse INSERT … SELECT …
    # ON CONFLICT; it is the board filter anyway.
    rows = "SELECT %s, {id}, %s, %s FROM {threads} WHERE {board} = %s".format(
        id=connection.ops.quote_name("id"),
        threads=connection.ops.quote_name(Thread._meta.db_table),
        board=connection.ops.quote_name("board_id"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _advance_sql(rows) + f" RETURNING {connection.ops.quote_name('thread_id')}",
            [member.pk, up_to, timezone.now(), board.pk],
        )
        moved = [read_key(member.pk, thread_pk) for (thread_pk,) in cursor.fetchall()]
    # The markers that moved are read from the database again: dropped now, and
    # again once this commits (a page reading in between would keep the old one).
    if moved:
        cache.delete_many(moved)
        transaction.on_commit(lambda: cache.delete_many(moved), robust=True)
