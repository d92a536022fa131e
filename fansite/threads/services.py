from django.db import transaction
from django.db.models import F
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
