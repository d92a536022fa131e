from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

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


@transaction.atomic
def start_thread(*, board, author, title, body, spoils_episode=None):
    """Open a thread on a board with its first post."""
    from fansite.comments.services import create_comment, ensure_can_post, resolve_spoiler_level

    ensure_can_post(author)
    thread = Thread.objects.create(
        board=board,
        author=author,
        title=title,
        spoils_episode_id=resolve_spoiler_level(board, spoils_episode),
    )
    Board.objects.filter(pk=board.pk).update(thread_count=F("thread_count") + 1)
    create_comment(target=thread, author=author, body=body, is_reply=False)
    thread.refresh_from_db()
    return thread


def ensure_can_moderate(user):
    """Raise PermissionDenied unless ``user`` may pin and lock threads."""
    if user is None or not user.is_active or not user.has_perm("threads.change_thread"):
        raise PermissionDenied(_("Only moderators can pin or lock threads."))


def _set_flag(*, thread, moderator, field, value):
    ensure_can_moderate(moderator)
    if getattr(thread, field) == value:
        return False
    # Deliberately leaves last_activity_at alone: pinning or locking a thread is
    # not activity and must not bump it up the board.
    Thread.objects.filter(pk=thread.pk).update(**{field: value})
    setattr(thread, field, value)
    return True


@transaction.atomic
def lock_thread(*, thread, moderator):
    """Close a thread to new comments. Returns whether anything changed."""
    return _set_flag(thread=thread, moderator=moderator, field="is_locked", value=True)


@transaction.atomic
def unlock_thread(*, thread, moderator):
    """Reopen a locked thread to new comments. Returns whether anything changed."""
    return _set_flag(thread=thread, moderator=moderator, field="is_locked", value=False)


@transaction.atomic
def pin_thread(*, thread, moderator):
    """Keep a thread at the top of its board. Returns whether anything changed."""
    return _set_flag(thread=thread, moderator=moderator, field="is_pinned", value=True)


@transaction.atomic
def unpin_thread(*, thread, moderator):
    """Let a pinned thread take its place by activity again. Returns whether anything changed."""
    return _set_flag(thread=thread, moderator=moderator, field="is_pinned", value=False)


@transaction.atomic
def delete_thread(*, thread):
    """Delete a thread and its comments, keeping its board's counters true."""
    board_id = thread.board_id
    posts = thread.comments.count()
    thread.delete()
    last_activity_at = Thread.objects.filter(board_id=board_id).aggregate(
        latest=Max("last_activity_at")
    )["latest"]
    Board.objects.filter(pk=board_id).update(
        # Greatest(): a counter that drifted must not fail the delete.
        thread_count=Greatest(F("thread_count") - 1, 0),
        post_count=Greatest(F("post_count") - posts, 0),
        last_activity_at=last_activity_at,
    )
