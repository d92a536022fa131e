"""Rendered thread rows of board pages, cached like comment cards
(fansite.comments.cards, fansite.web.fragments).

A board page is mostly its thirty rows, and a row depends only on the thread and
a few facts about the page: its title, flags, spoiler episode, reply count and
last activity, its author's name, whether the reader is shown its gate rather
than its title, the board (its title and episode, which the gate label and the
badges use), the language and time zone, and whether the reader is a member (a
member's row carries the marker of their read state, filled in after the cache:
fansite.comments.middleware). The key is a digest of exactly those, so a row is
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

from fansite.web import fragments, pagecache
from fansite.web.fragments import Fragments

_REQUEST_ATTRIBUTE = "_fansite_rows"

rows = Fragments("row", max_bytes=settings.CARD_CACHE_LOCAL_BYTES // 4)


def row_key(thread, reader, page_parts) -> str:
    author = thread.author
    return rows.key(
        (
            page_parts,
            thread.pk,
            thread.title,
            thread.is_pinned,
            thread.is_hidden,
            thread.is_locked,
            thread.spoils_episode_id,
            thread.reply_count,
            thread.last_activity_at.isoformat(),
            (author.pk, author.username, author.public_name) if author is not None else None,
            reader.hides(thread),
        )
    )


def page_parts(context) -> tuple:
    """What every row of the page depends on besides its thread."""
    board = context["board"]
    return (
        pagecache.CODE_VERSION,
        get_language(),
        timezone.get_current_timezone_name(),
        context["request"].user.is_authenticated,
        board.pk,
        board.title,
        board.spoiler_level,
    )


class PageRows:
    """The rows of one page, looked up together on first use."""

    def __init__(self, context):
        self.reader = context["reader"]
        self.page_parts = page_parts(context)
        self.keys = {
            thread.pk: row_key(thread, self.reader, self.page_parts)
            for thread in context.get("entries", ())
            if not getattr(thread, "is_gate_group", False)
        }
        self.found = rows.find(list(self.keys.values()))

    def render(self, thread, render_row):
        key = self.keys.get(thread.pk) or row_key(thread, self.reader, self.page_parts)
        return rows.get(self.found, key, render_row)


def render_row(context, thread, render):
    """``render()``'s row for ``thread``, from the cache when it may be."""
    request = context.get("request")
    if not fragments.enabled(request) or "reader" not in context or "board" not in context:
        return render()
    page_rows = getattr(request, _REQUEST_ATTRIBUTE, None)
    if page_rows is None:
        page_rows = PageRows(context)
        setattr(request, _REQUEST_ATTRIBUTE, page_rows)
    return page_rows.render(thread, render)
