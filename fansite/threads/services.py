from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fansite.spoilers.levels import resolve_spoiler_level
from fansite.users.standing import PostingRefused, new_member_until
from fansite.web.ratelimits import wait_text

from .models import Board, Thread


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
