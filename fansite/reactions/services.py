"""Giving and taking back reactions, with the rules that apply to them."""

from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Log
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


@transaction.atomic
def set_reaction(*, member, comment, kind, on):
    """Give (``on``) or take back ``member``'s ``kind`` reaction to ``comment``.
    Saying the same twice changes nothing, so a form sent twice neither doubles nor
    undoes it. Returns whether anything changed.

    The comment's and the thread's totals (and the comment's "Top" score) move in
    the same transaction, by the one row inserted or deleted. Once committed, the
    comment's counts and the member's own reactions are dropped from the cache, so
    the next page counts them afresh (fansite.reactions.state)."""
    ensure_can_react(member, comment, kind)
    if on:
        changed = _insert(member, comment, kind)
    else:
        deleted, _by_model = Reaction.objects.filter(
            comment=comment, member=member, kind=kind
        ).delete()
        changed = bool(deleted)
    if changed:
        _move_totals(comment, 1 if on else -1)
        # Now, so this process's next page is right even before the commit (and
        # tests, which never commit, see it), and again after the commit, so a
        # recount another process made from the old rows in between is dropped.
        state.reacted(member, comment.pk)
        transaction.on_commit(lambda: state.reacted(member, comment.pk))
    return changed


def _insert(member, comment, kind):
    """Insert the reaction; False when it was already there. One statement, no
    savepoint: ``ON CONFLICT DO NOTHING`` (PostgreSQL, and SQLite since 3.24) lets
    the unique constraint settle a click sent twice at once, and ``RETURNING``
    (SQLite 3.35) says whether this one inserted, so the totals move once."""
    table = connection.ops.quote_name(Reaction._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (comment_id, member_id, kind_id, created_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [comment.pk, member.pk, kind.pk, timezone.now()],
        )
        return cursor.fetchone() is not None


def _move_totals(comment, delta):
    """Add ``delta`` to the comment's and its thread's totals in single UPDATEs (the
    database adds to the row's current value, so concurrent reactions all count)
    and recompute the comment's score from its new total (fansite.reactions.scoring)."""
    total = F("reaction_total") + delta
    Comment.objects.filter(pk=comment.pk).update(
        reaction_total=total,
        top_score=Case(
            When(
                reaction_total__gt=-delta,
                then=Log(Value(2.0), total + Value(1.0)) + Value(recency(comment.created_at)),
            ),
            default=Value(0.0),
            output_field=FloatField(),
        ),
    )
    if comment.thread_id:
        Thread.objects.filter(pk=comment.thread_id).update(
            reaction_total=F("reaction_total") + delta
        )
