"""Giving and taking back reactions, with the rules that apply to them."""

from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fansite.comments.models import Comment
from fansite.threads.models import Thread
from fansite.users.standing import PostingRefused, ensure_can_post

from . import state
from .models import Reaction
from .scoring import recency


def ensure_can_react(member, comment, kind):
    """Raise PostingRefused unless ``member`` may react ``kind`` to ``comment``: their
    standing (logged in, active, not banned), not their own comment, a kind that is
    offered, and a comment that is shown (not removed or hidden, under a thread that
    is not hidden or an article that is published)."""
    ensure_can_post(member)
    if comment.author_id == member.pk:
        raise PostingRefused(_("You can't react to your own comment."))
    if not kind.is_enabled:
        raise PostingRefused(_("This reaction is no longer offered."))
    if not comment.is_shown:
        raise PostingRefused(_("This comment is no longer shown, so it takes no reactions."))


def set_reaction(*, member, comment, kind, on):
    """Give (``on``) or take back ``member``'s ``kind`` reaction to ``comment``.
    Saying the same twice changes nothing, so a form sent twice neither doubles nor
    undoes it. Returns whether anything changed.

    The comment's and the thread's totals (and the comment's "Top" score) move with
    the row inserted or deleted, atomically (``_write``). Then the comment's counts
    and the member's own reactions are dropped from the cache, so the next page
    counts them afresh (fansite.reactions.state)."""
    ensure_can_react(member, comment, kind)
    changed = _write(member, comment, kind, on)
    if changed:
        state.reacted(member, comment.pk)
        if connection.in_atomic_block:
            # Inside a caller's transaction (and in tests, which never commit):
            # dropped now, so this process's next page is right at once, and again
            # after the commit, so a recount another process made from the old
            # rows in between is dropped too.
            transaction.on_commit(lambda: state.reacted(member, comment.pk))
    return changed


def _write(member, comment, kind, on):
    """Insert or delete the reaction row and, only when that changed something, add
    +1 or -1 to the comment's and its thread's totals and recompute the comment's
    score (fansite.reactions.scoring) from its new total. Each total is added to in
    the database, to the row's current value, so concurrent reactions all count.

    A reaction is the site's most frequent write, so this is plain SQL: on
    PostgreSQL one statement (the row and both totals in data-modifying CTEs, atomic
    on its own, one round trip); elsewhere three statements in one transaction.
    ``ON CONFLICT DO NOTHING`` lets the unique constraint settle a click sent twice
    at once, and ``RETURNING`` says whether this one changed the row, so the totals
    move once."""
    delta = 1 if on else -1
    row = "insert" if on else "delete"
    row_params = [comment.pk, member.pk, kind.pk] + ([timezone.now()] if on else [])
    total_params = [delta, delta, delta, recency(comment.created_at), comment.pk]
    thread_params = [delta, comment.thread_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = _sql(connection.vendor, f"one:{row}")
            cursor.execute(statement, row_params + total_params + thread_params)
            return cursor.fetchone()[0] > 0
        with transaction.atomic():
            cursor.execute(_sql(connection.vendor, row), row_params)
            if cursor.fetchone() is None:
                return False
            cursor.execute(_sql(connection.vendor, "comment"), total_params)
            cursor.execute(_sql(connection.vendor, "thread"), thread_params)
            return True


# The statements of _write; {reaction}, {comment} and {thread} are the quoted table
# names. A comment without reactions scores 0 (scoring.top_score).
_INSERT = (
    "INSERT INTO {reaction} (comment_id, member_id, kind_id, created_at) "
    "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
)
_DELETE = (
    "DELETE FROM {reaction} WHERE comment_id = %s AND member_id = %s AND kind_id = %s RETURNING id"
)
_COMMENT_TOTALS = (
    "UPDATE {comment} SET reaction_total = reaction_total + %s, "
    "top_score = CASE WHEN reaction_total + %s > 0 "
    "THEN LOG(2.0, reaction_total + %s + 1.0) + %s ELSE 0.0 END "
    "WHERE id = %s"
)
_THREAD_TOTAL = "UPDATE {thread} SET reaction_total = reaction_total + %s WHERE id = %s"
_IN_ONE_STATEMENT = (
    "WITH changed AS ({row}), "
    "comment_totals AS ({comment_totals} AND EXISTS (SELECT 1 FROM changed)), "
    "thread_total AS ({thread_total} AND EXISTS (SELECT 1 FROM changed)) "
    "SELECT count(*) FROM changed"
)


_STATEMENTS = {
    "insert": _INSERT,
    "delete": _DELETE,
    "comment": _COMMENT_TOTALS,
    "thread": _THREAD_TOTAL,
}


@lru_cache
def _sql(vendor, name):
    """The statement ``name`` (``one:insert`` and ``one:delete`` for PostgreSQL's
    single statement), its tables' names quoted for this database."""
    if name.startswith("one:"):
        template = _IN_ONE_STATEMENT.format(
            row=_STATEMENTS[name.removeprefix("one:")],
            comment_totals=_COMMENT_TOTALS,
            thread_total=_THREAD_TOTAL,
        )
    else:
        template = _STATEMENTS[name]
    models = {"reaction": Reaction, "comment": Comment, "thread": Thread}
    return template.format(
        **{key: connection.ops.quote_name(model._meta.db_table) for key, model in models.items()}
    )
