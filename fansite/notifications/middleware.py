"""Fills in the member's own markers on every page: the header's unread count and the
Follow/Unfollow buttons (``state.py`` says why they are not in the cached page).

Pages carry markers that are the same for every member, so a page from the per-reader
page cache carries them too and is filled in here, after the cache, with what is
true for this member now. Visitors' pages have no markers.
"""

import re

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from fansite.web import markers, pagecache
from fansite.web.markers import MarkerMiddleware

from . import state

UNREAD_MARKER = b"<!--notifications:unread-->"
_FOLLOW_MARKER = re.compile(rb"<!--notifications:follow:(thread|board):([0-9]{1,18})-->")
_FOLLOW_PREFIX = b"<!--notifications:follow:"
_ANY_MARKER = b"<!--notifications:"


class MemberMarkersMiddleware(MarkerMiddleware):
    prefix = _ANY_MARKER
    members_only = True

    def fill(self, request, content):
        user = request.user
        if user.is_authenticated:
            has_buttons = _FOLLOW_PREFIX in content
            count, followed = state.markers(
                user,
                with_follows=has_buttons,
                found=pagecache.prefetched(request, state.marker_keys(user)),
            )
            content = content.replace(UNREAD_MARKER, _unread_html(count))
            if has_buttons:
                content = _fill_buttons(
                    content, lambda match: _follow_html(request, followed, match)
                )
        else:
            content = _fill_buttons(content.replace(UNREAD_MARKER, b""), lambda match: b"")
        return content

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


def _fill_buttons(content, button):
    """``content`` with each follow marker replaced by ``button(match)``."""
    return markers.replace(content, markers.find(content, _FOLLOW_PREFIX, _FOLLOW_MARKER), button)


# The buttons' labels: (kind, following) → label.
_LABELS = {
    ("thread", False): gettext_lazy("Follow"),
    ("thread", True): gettext_lazy("Following · Unfollow"),
    ("board", False): gettext_lazy("Follow this board"),
    ("board", True): gettext_lazy("Following this board · Unfollow"),
}


def _follow_html(request, followed, match):
    """A Follow or Unfollow button (a form posting to the follow views). Built here
    rather than from a template: it is on every thread and board page a member sees."""
    kind, pk = match[1].decode(), int(match[2])
    threads, boards = followed
    is_following = pk in (threads if kind == "thread" else boards)
    view = "notifications:follow_delete" if is_following else "notifications:follow_create"
    return format_html(
        '<form class="follow-form" method="post" action="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}">'
        '<button type="submit" class="link-button" aria-pressed="{}">{}</button></form>',
        reverse(view, args=[kind, pk]),
        # Not the request's context: its processors could query, and this runs on
        # cached pages that otherwise run none.
        pagecache.form_token(request),
        request.get_full_path(),
        "true" if is_following else "false",
        _LABELS[kind, is_following],
    ).encode()
