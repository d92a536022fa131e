"""The lists of threads a board page and the home page show, and the board a
board page is about, read by statements compiled once per process
(fansite.web.statements.Compiled).

Built by the ORM on every page, these three queries cost a board page about
1.3 ms to compile for a few tenths in the database. Each is the queryset the
selectors describe, compiled once for each order, each kind of reader (whether
they see hidden threads) and each page's slice; a page gives only its values
(the board, and for "Top this week" the week's start)."""

from fansite.web import statements

from .models import Board, Thread
from .selectors import (
    TOP_WEEK,
    ordered_threads,
    sees_hidden_threads,
    shown_in_lists,
    week_ago,
)

_boards = statements.Compiled(lambda shape, slug: Board.objects.with_episode().filter(slug=slug))


def board_for_page(slug):
    """The board ``slug`` with its episode (and the episode's season and series), or
    None."""
    found = _boards.instances(None, slug)
    return found[0] if found else None


def _board_threads(shape, board_pk, since=None):
    sort, sees_hidden = shape
    threads = shown_in_lists(Thread.objects.for_board(board_pk), sees_hidden=sees_hidden)
    return ordered_threads(threads, sort, pinned_first=True, since=since)


def _latest_threads(shape, since=None):
    sort, sees_hidden = shape
    threads = shown_in_lists(Thread.objects.select_related("board"), sees_hidden=sees_hidden)
    return ordered_threads(threads, sort, since=since)


_of_board = statements.Compiled(_board_threads)
_latest = statements.Compiled(_latest_threads)


def _values(sort):
    """The values a list in order ``sort`` is read with besides its board."""
    return (week_ago(),) if sort == TOP_WEEK else ()


def board_threads(board, sort, user):
    """A board's threads as ``user`` may see them in lists, in the order ``sort``
    (pinned first), with their authors: a Paginator's object list."""
    shape = (sort, sees_hidden_threads(user))
    return _of_board.listing(shape, board.pk, *_values(sort))


def latest_threads(user, sort, count):
    """The first ``count`` threads ``user`` may see in lists, in the order ``sort``,
    with their boards."""
    shape = (sort, sees_hidden_threads(user))
    return _latest.instances(shape, *_values(sort), stop=count)
