"""Fills in the reactions bar of every comment card on the page, cached or not.

Each card of a shown comment carries ``<!--reactions:<pk>:<mode>-->`` (the same
for every reader in the same position, so cached pages carry it too: modes in
fansite.reactions.bar). Here the markers become bars with the counts from the
cache and, for members, their own reactions (fansite.reactions.state): one
cache round trip for the page, a query only for what the cache lacks.
"""

import re

from django.utils.encoding import iri_to_uri

from fansite.users.standing import ensure_can_post
from fansite.web.pagecache import form_token
from fansite.web.refusals import Refused

from . import state
from .bar import FULL, Bars

_PREFIX = b"<!--reactions:"
_MARKER = re.compile(rb"<!--reactions:([0-9]{1,18}):([aot])-->")


class ReactionMarkersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or _PREFIX not in response.content
        ):
            return response
        content = fill(request, response.content)
        response.content = content
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(content))
        return response


def _markers(content):
    """``(start, end, pk, mode)`` of every marker, found with ``bytes.find`` and
    matched only where one starts (a regular expression's scan of a whole page
    costs far more)."""
    found, start = [], 0
    while (at := content.find(_PREFIX, start)) != -1:
        match = _MARKER.match(content, at)
        if match:
            found.append((at, match.end(), int(match[1]), match[2].decode()))
            start = match.end()
        else:
            start = at + len(_PREFIX)
    return found


def fill(request, content):
    markers = _markers(content)
    if not markers:
        return content
    user = request.user
    member = user if user.is_authenticated else None
    kinds, counts, given = state.page_state(member, sorted({m[2] for m in markers}))
    can_react = member is not None and _may_react(member)
    bars = Bars(
        kinds,
        can_react=can_react,
        token=form_token(request) if can_react else "",
        path=iri_to_uri(request.get_full_path()),
    )
    picker = can_react
    parts, start = [], 0
    for at, end, pk, mode in markers:
        bar = bars.bar(pk, mode, counts.get(pk, {}), given.get(pk, ()))
        if picker and mode == FULL:
            bar += bars.picker()  # once a page, for site.js
            picker = False
        parts += [content[start:at], bar.encode()]
        start = end
    parts.append(content[start:])
    return b"".join(parts)


def _may_react(member):
    try:
        ensure_can_post(member)
    except Refused:
        return False
    return True
