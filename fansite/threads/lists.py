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
from .selectors import TOP_WEEK, ordered_threads, sees_hidden_threads, week_ago

_boards = statements.Compiled(lambda shape, slug: Board.objects.with_episode().filter(slug=slug))


def board_for_page(slug):
    """The board ``slug`` with its episode (and the episode's season and series), or
    None."""
    found = _boards.instances(None, slug)
    return found[0] if found else None


def _shown(threads, sees_hidden):
    """``threads`` as lists show them (selectors.listed_threads): without the hidden
    ones unless the reader moderates."""
    return threads if sees_hidden else threads.filter(is_hidden=False)


def _board_threads(shape, board_pk, since=None):
    sort, sees_hidden = shape
    threads = Thread.objects.filter(board_id=board_pk).select_related("author")
    return ordered_threads(_shown(threads, sees_hidden), sort, pinned_first=True, since=since)


def _latest_threads(shape, since=None):
    sort, sees_hidden = shape
    threads = Thread.objects.select_related("board")
    return ordered_threads(_shown(threads, sees_hidden), sort, since=since)


_of_board = statements.Compiled(_board_threads)
_latest = statements.Compiled(_latest_threads)


def _values(sort):
    """The values a list in order ``sort`` is read with besides its board."""
    return (week_ago(),) if sort == TOP_WEEK else ()


class BoardThreads:
    """A board's threads as ``user`` may see them in lists, in the order ``sort``
    (pinned first), with their authors: a Paginator's object list, counted and
    sliced by compiled statements."""

    def __init__(self, board, sort, user):
        self.shape = (sort, sees_hidden_threads(user))
        self.values = (board.pk, *_values(sort))

    def count(self):
        return _of_board.count(self.shape, *self.values)

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("a board's threads are read a page at a time")
        return _of_board.instances(
            self.shape, *self.values, start=index.start or 0, stop=index.stop
        )


def latest_threads(user, sort, count):
    """The first ``count`` threads ``user`` may see in lists, in the order ``sort``,
    with their boards."""
    shape = (sort, sees_hidden_threads(user))
    return _latest.instances(shape, *_values(sort), stop=count)
