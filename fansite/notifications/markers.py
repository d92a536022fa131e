"""Fills in the member's own markers on every page: the header's unread count and the
Follow/Unfollow buttons (``state.py`` says why they are not in the cached page).

Pages carry markers that are the same for every member, so a page from the per-reader
page cache carries them too and is filled in after the cache (fansite.web.markers),
with what is true for this member now. Visitors' pages have no markers.
"""

import re

from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from fansite.web import pagecache
from fansite.web.lru import LocalLRU
from fansite.web.markers import TOKEN_HOLE, Filler, around_token, reading, with_token, writes
from fansite.web.reversing import reverse_id

from . import state


class NotificationMarkers(Filler):
    name = b"notifications"
    pattern = re.compile(rb"<!--notifications:(?:unread|follow:(thread|board):([0-9]{1,18}))-->")
    members_only = True

    def fill(self, request, matches):
        user = request.user
        has_buttons = any(match[1] is not None for match in matches)
        count, followed = state.markers(
            user,
            with_follows=has_buttons,
            found=pagecache.prefetched(request, state.marker_keys(user)),
            writes=writes(request),
        )
        unread = _unread_html(count)

        def html(match):
            if match[1] is None:
                return unread
            return _follow_html(request, followed, match)

        return html

    def cache_keys(self, request):
        user = request.user
        return state.marker_keys(user) if user.is_authenticated else []


def _unread_html(count):
    """The count after the header's bell (nothing when there is none). Built here
    rather than from a template: it is on every member page."""
    if not count:
        return b""
    return format_html(
        ' <span class="notification-count">{}<span class="visually-hidden"> {}</span></span>',
        count,
        gettext("unread"),
    ).encode()


# The buttons' labels: (kind, following) → label.
_LABELS = {
    ("thread", False): gettext_lazy("Follow"),
    ("thread", True): gettext_lazy("Following · Unfollow"),
    ("board", False): gettext_lazy("Follow this board"),
    ("board", True): gettext_lazy("Following this board · Unfollow"),
}


# Buttons as drawn, per process: the markup around the reader's CSRF token,
# keyed by everything else they show.
_drawn = LocalLRU(max_bytes=1024 * 1024, weight=lambda pieces: sum(map(len, pieces)))
_DRAWN_SECONDS = 5 * 60


def _follow_html(request, followed, match):
    """A Follow or Unfollow button (a form posting to the follow views). Built here
    rather than from a template: it is on every thread and board page a member sees."""
    kind, pk = match[1].decode(), int(match[2])
    threads, boards = followed
    is_following = pk in (threads if kind == "thread" else boards)
    language, path = reading(request)
    key = (kind, pk, is_following, path, language)
    pieces = _drawn.get(key)
    if pieces is None:
        pieces = around_token(_draw_follow(kind, pk, is_following, path))
        _drawn.put(key, pieces, _DRAWN_SECONDS)
    # Not the request's context: its processors could query, and this runs on
    # cached pages that otherwise run none.
    return with_token(pieces, pagecache.form_token(request).encode())


def _draw_follow(kind, pk, is_following, path):
    view = "notifications:follow_delete" if is_following else "notifications:follow_create"
    return format_html(
        '<form class="follow-form" method="post" action="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}">'
        '<button type="submit" class="link-button" aria-pressed="{}">{}</button></form>',
        reverse_id(view, kind, pk=pk),
        TOKEN_HOLE,
        path,
        "true" if is_following else "false",
        _LABELS[kind, is_following],
    )
