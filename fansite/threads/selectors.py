"""Reads that shape boards and threads for pages (a fixed number of queries each)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Board, Thread

# Moderators (members with this permission) see hidden threads, marked "Hidden".
MODERATE_THREADS_PERM = "threads.change_thread"


def sees_hidden_threads(user) -> bool:
    """Whether ``user`` may read threads that moderators have hidden.

    Moderators are staff; asking only staff for their permissions spares every
    other member's page the permission queries.
    """
    return bool(
        user
        and user.is_authenticated
        and (user.is_staff or user.is_superuser)
        and user.has_perm(MODERATE_THREADS_PERM)
    )


# How a list of threads can be ordered (``?sort=``); the first is the default.
LATEST, NEW, TOP_WEEK, TOP_ALL = "latest", "new", "top-week", "top"
THREAD_SORTS = {
    LATEST: gettext_lazy("Latest activity"),
    NEW: gettext_lazy("New"),
    TOP_WEEK: gettext_lazy("Top this week"),
    TOP_ALL: gettext_lazy("Top all time"),
}


def thread_sort_from(value) -> str:
    return value if value in THREAD_SORTS else LATEST


def sort_links(url, current, fragment=""):
    """``(label, address, is_current)`` for each order of the list of threads at
    ``url`` (``fragment``: where the list starts on the page)."""
    return [
        (label, url if key == LATEST else f"{url}?sort={key}{fragment}", key == current)
        for key, label in THREAD_SORTS.items()
    ]


def week_ago():
    """Where "Top this week" starts: threads started since then are in it."""
    return timezone.now() - timedelta(days=7)


def ordered_threads(threads, sort, *, pinned_first=False, since=None):
    """``threads`` in the order ``sort``: latest activity (pinned threads first when
    ``pinned_first``), newest started, or most reactions (all time, or among the
    threads started ``since``: by default, in the last seven days)."""
    if sort == NEW:
        return threads.order_by("-created_at", "-pk")
    if sort in (TOP_WEEK, TOP_ALL):
        if sort == TOP_WEEK:
            threads = threads.filter(created_at__gte=since or week_ago())
        # Ties: the newest first (the thread_board_top index's order).
        return threads.order_by("-reaction_total", "-pk")
    order = ["-last_activity_at", "-pk"]
    return threads.order_by(*(["-is_pinned", *order] if pinned_first else order))


def listed_threads(user, threads=None):
    """``threads`` (default: every thread) as ``user`` may see them in lists:
    without the hidden ones, unless ``user`` is a moderator."""
    threads = Thread.objects.all() if threads is None else threads
    return shown_in_lists(threads, sees_hidden=sees_hidden_threads(user))


def shown_in_lists(threads, *, sees_hidden):
    """``threads`` without the hidden ones, unless the reader ``sees_hidden``."""
    return threads if sees_hidden else threads.filter(is_hidden=False)


def shown_to(user, items):
    """The threads, or comments, in ``items`` that ``user`` may see in a list.

    For lists built elsewhere (profile pages): drops hidden threads, and comments
    in hidden threads, for everyone but moderators. Runs no query as long as each
    comment's thread is loaded with it.
    """
    items = list(items)
    shown = [item for item in items if not _in_hidden_thread(item)]
    if len(shown) == len(items) or sees_hidden_threads(user):
        return items
    return shown


def _in_hidden_thread(item):
    if isinstance(item, Thread):
        return item.is_hidden
    # A comment: only thread comments can sit in a hidden thread.
    return bool(item.thread_id) and item.thread.is_hidden


@dataclass
class BoardSection:
    """A heading on the board list ("Season 1", "General") and its boards."""

    heading: str
    key: str
    boards: list[Board] = field(default_factory=list)


def board_sections(user=None):
    """Every board, episode boards grouped by season first, then the general boards.

    Each board carries ``latest_thread`` (its most recently active thread that
    ``user`` may see, or None), fetched for all boards at once: two queries
    whatever the number of boards.
    """
    latest_thread = (
        listed_threads(user, Thread.objects.filter(board=OuterRef("pk")))
        .order_by("-last_activity_at", "-pk")
        .values("pk")[:1]
    )
    boards = list(
        Board.objects.with_episode()
        .annotate(latest_thread_id=Subquery(latest_thread))
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
