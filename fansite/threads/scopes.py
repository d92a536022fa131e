"""The page cache's scopes for the lists of one board's threads
(fansite.web.pagecache; docs/caching.md, "Precise invalidation").

A board's pages and its episode's page list only that board's threads. A new
comment or a changed thread replaces these scopes, and ``LISTINGS`` for the lists
of every board's latest activity (the home page, the board list). The other
boards' pages stay cached.

Pages name a board's scope by what their address holds: the board's slug, the
episode's position. Writes know the board's key, so they look both up, one query.
A board's slug and an episode's position change only by saving the board or the
episode, which replaces every page (``SITE``).
"""

from .models import Board, Thread

_SLUG_LENGTH = Board._meta.get_field("slug").max_length


def board_scope(slug) -> str:
    """The pages of the board ``slug``, in every order. An address naming a slug
    no board can have shares one scope: its page is a 404, and the cache keeps no
    key as long as the address for it."""
    return f"board:{slug}" if len(slug) <= _SLUG_LENGTH else "board:*"


def episode_threads_scope(position) -> str:
    """The page of the episode at ``position``, which lists its board's threads."""
    return f"episode-threads:{position}"


def _scopes(rows) -> tuple[str, ...]:
    scopes = []
    for slug, position in rows:
        scopes.append(board_scope(slug))
        if position is not None:
            scopes.append(episode_threads_scope(position))
    return tuple(scopes)


def of_boards(*board_pks) -> tuple[str, ...]:
    """The scopes of the pages listing the threads of these boards."""
    wanted = {pk for pk in board_pks if pk is not None}
    if not wanted:
        return ()
    rows = Board.objects.filter(pk__in=wanted).values_list("slug", "episode__position")
    return _scopes(rows)


def of_thread(thread) -> tuple[str, ...]:
    """The scopes of the pages listing the board of ``thread`` (a Thread, or its
    key). A Thread loaded with its board and the board's episode costs no query."""
    if isinstance(thread, Thread) and Thread.board.is_cached(thread):
        board = thread.board
        if board.episode_id is None:
            return _scopes([(board.slug, None)])
        if Board.episode.is_cached(board):
            return _scopes([(board.slug, board.episode.position)])
    rows = Board.objects.filter(threads=getattr(thread, "pk", thread))
    return _scopes(rows.values_list("slug", "episode__position"))
