from django.utils.translation import gettext as _

from .models import Board


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
