"""Fills in the member's own markers on every page: the header's unread count and the
Follow/Unfollow buttons (``state.py`` says why they are not in the cached page).

Pages carry markers that are the same for every member, so a page from the per-reader
page cache carries them too and is filled in here, after the cache, with what is
true for this member now. Visitors' pages have no markers.
"""

import re

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext

from . import state

UNREAD_MARKER = b"<!--notifications:unread-->"
_FOLLOW_MARKER = re.compile(rb"<!--notifications:follow:(thread|board):([0-9]{1,18})-->")
_FOLLOW_PREFIX = b"<!--notifications:follow:"
_ANY_MARKER = b"<!--notifications:"


class MemberMarkersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or _ANY_MARKER not in response.content
        ):
            return response
        user = request.user
        content = response.content
        if user.is_authenticated:
            has_buttons = _FOLLOW_PREFIX in content
            count, followed = state.markers(user, with_follows=has_buttons)
            content = content.replace(UNREAD_MARKER, _unread_html(count))
            if has_buttons:
                content = _FOLLOW_MARKER.sub(
                    lambda match: _follow_html(request, followed, match), content
                )
        else:
            content = _FOLLOW_MARKER.sub(b"", content.replace(UNREAD_MARKER, b""))
        response.content = content
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(content))
        return response


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


def _follow_html(request, followed, match):
    kind, pk = match[1].decode(), int(match[2])
    threads, boards = followed
    is_following = pk in (threads if kind == "thread" else boards)
    return render_to_string(
        "notifications/_follow_button.html",
        {
            "kind": kind,
            "pk": pk,
            "is_following": is_following,
            "next": request.get_full_path(),
            # Not the request's context: its processors could query, and this runs on
            # cached pages that otherwise run none.
            "csrf_token": get_token(request),
        },
    ).encode()
