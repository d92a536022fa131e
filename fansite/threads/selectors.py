"""Reads that shape boards and threads for pages (a fixed number of queries each)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Board, Thread


@dataclass
class BoardSection:
    """A heading on the board list ("Season 1", "General") and its boards."""

    heading: str
    key: str
    boards: list[Board] = field(default_factory=list)


def board_sections():
    """Every board, episode boards grouped by season first, then the general boards.

    Each board carries ``latest_thread`` (its most recently active thread, or None),
    fetched for all boards at once: two queries whatever the number of boards.
    """
    boards = list(
        Board.objects.with_episode()
        .with_latest_thread_id()
        .order_by("kind", "episode__position", "position", "title")
    )
    latest = Thread.objects.in_bulk(
        [board.latest_thread_id for board in boards if board.latest_thread_id]
    )
    sections: dict[str, BoardSection] = {}
    for board in boards:
        board.latest_thread = latest.get(board.latest_thread_id)
        if board.kind == Board.Kind.EPISODE:
            season = board.episode.season
            key = f"season-{season.pk}"
            heading = str(season)
        else:
            key, heading = "general", _("General")
        sections.setdefault(key, BoardSection(heading=heading, key=key)).boards.append(board)
    # Dict order is insertion order, and the boards arrive episode boards first.
    return list(sections.values())
