"""Rendered thread rows of board pages, cached like comment cards
(fansite.comments.cards, fansite.web.fragments).

A board page is mostly its thirty rows, and a row depends only on the thread and
a few facts about the page: its title, flags, spoiler episode, reply count and
last activity, its author's name, whether the reader is shown its gate rather
than its title, the board (its title and episode, which the gate label and the
badges use), the language and time zone, and whether the reader is a member (a
member's row carries the marker of their read state, filled in after the cache:
fansite.comments.markers). The key is a digest of exactly those, so a row is
never stale.

The board page itself is still dropped by a comment in any of its threads: the
row of that thread changed. Drawn again, it finds every other row in the cache
and renders one. Staff see hidden threads among the rows, so their rows are
never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from fansite.spoilers import reveals
from fansite.web import fragments, pagecache
from fansite.web.fragments import Fragments

_REQUEST_ATTRIBUTE = "_fansite_rows"

rows = Fragments("row", max_bytes=settings.CARD_CACHE_LOCAL_BYTES // 4)


def _board_row(thread, reader, request):
    """What a board page's row shows of its thread besides the common parts."""
    author = thread.author
    return (
        thread.is_pinned,
        thread.is_locked,
        (author.pk, author.username, author.public_name) if author is not None else None,
    )


def _home_row(thread, reader, request):
    """What a row of the home page's latest discussions shows besides the common
    parts: its board, and its address (which carries the reader's token for the
    thread when they revealed it there)."""
    board = thread.board
    return (
        board.pk,
        board.title,
        board.slug,
        reveals.revealed_url(thread.get_absolute_url(), thread, reader),
    )


# The lists whose rows are cached: {kind: what a row shows of its thread besides
# the common parts}.
KINDS = {"board": _board_row, "home": _home_row}


def row_key(kind, thread, reader, request, page_parts) -> str:
    """The cache key of ``thread``'s row. The last activity goes in as it is, not
    written out: equal times are the same instant, drawn alike in the page's time
    zone (a part of ``page_parts``)."""
    parts = (
        page_parts,
        thread.id,
        thread.title,
        thread.is_hidden,
        thread.spoils_episode_id,
        thread.reply_count,
        thread.last_activity_at,
        reader.hides(thread),
        KINDS[kind](thread, reader, request),
    )
    return rows.key(parts)  # kept by its parts (Fragments.key)


def page_parts(context, kind) -> tuple:
    """What every row of the page depends on besides its thread."""
    parts = (
        kind,
        pagecache.CODE_VERSION,
        get_language(),
        timezone.get_current_timezone_name(),
        context["request"].user.is_authenticated,
    )
    if kind == "board":
        board = context["board"]
        parts += (board.pk, board.title, board.spoiler_level)
    return parts


class PageRows:
    """The rows of one list, looked up together on first use."""

    def __init__(self, context, kind):
        self.kind = kind
        self.reader = context["reader"]
        self.request = context["request"]
        self.page_parts = page_parts(context, kind)
        self.keys = {
            thread.pk: self._key(thread)
            for thread in context.get("entries", ())
            if not getattr(thread, "is_gate_group", False)
        }
        self.found = rows.find(list(self.keys.values()))

    def _key(self, thread):
        return row_key(self.kind, thread, self.reader, self.request, self.page_parts)

    def render(self, thread, render_row):
        key = self.keys.get(thread.pk) or self._key(thread)
        return rows.get(self.found, key, render_row)


def render_row(context, kind, thread, render):
    """``render()``'s row for ``thread`` in a list of ``kind`` ("board", "home"), from
    the cache when it may be."""
    request = context.get("request")
    if not fragments.enabled(request) or "reader" not in context:
        return render()
    if kind == "board" and "board" not in context:
        return render()
    lists = request.__dict__.setdefault(_REQUEST_ATTRIBUTE, {})
    page_rows = lists.get(kind)
    if page_rows is None:
        page_rows = lists[kind] = PageRows(context, kind)
    return page_rows.render(thread, render)
