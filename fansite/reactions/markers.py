"""Fills in the reactions bar of every comment card on the page, cached or not.

Each card of a shown comment carries ``<!--reactions:<pk>:<mode>-->`` (the same
for every reader in the same position, so cached pages carry it too: modes in
fansite.reactions.bar). On members' pages, which members share, a shown
comment's marker names its author too, ``<!--reactions:<pk>:a:<author pk>-->``:
for its author it is the counts alone (OWN), since nobody reacts to their own
comment. Here the markers become bars with the counts from the cache and, for
members, their own reactions (fansite.reactions.state): one cache round trip for
the page, a query only for what the cache lacks.
"""

import re

from django.utils.encoding import iri_to_uri

from fansite.users.standing import ensure_can_post
from fansite.web import pagecache
from fansite.web.markers import Filler, writes
from fansite.web.refusals import Refused

from . import state
from .bar import FULL, OWN, Bars

_NONE = {}  # one object: bars of comments without reactions are drawn once


class ReactionMarkers(Filler):
    name = b"reactions"
    pattern = re.compile(rb"<!--reactions:([0-9]{1,18}):([aot])(?::([0-9]{1,18}))?-->")

    def fill(self, request, matches):
        user = request.user
        member = user if user.is_authenticated else None
        page = matches.kept(_Page)
        kinds, counts, given = state.page_state(
            member,
            page.comments,
            found=pagecache.prefetched(request, state.member_keys(member)) if member else None,
            writes=writes(request),
        )
        can_react = member is not None and _may_react(member)
        bars = Bars(
            kinds,
            can_react=can_react,
            token=pagecache.form_token(request) if can_react else "",
            path=iri_to_uri(request.get_full_path()),
        )
        if member is None:
            return page.for_visitors(bars, counts)
        return page.for_member(bars, counts, given, member.pk)

    def cache_keys(self, request):
        user = request.user
        return state.member_keys(user) if user.is_authenticated else []


class _Page:
    """The reaction markers of one page as found (kept with them: ``Matches.memo``):
    the comments, and for visitors the bars last drawn, which stay right for as
    long as each comment's counts are the same (fansite.reactions.state keeps
    them REACTION_COUNTS_SECONDS) and the kinds and language are too."""

    def __init__(self, matches):
        # (comment, mode, its author when the page names them), as marked.
        self.marked = [
            (int(match[1]), match[2].decode(), int(match[3]) if match[3] else None)
            for match in matches
        ]
        self.comments = sorted({pk for pk, _mode, _author in self.marked})
        self.drawn = None  # (kinds, language, counts of each marker, bars)

    def for_member(self, bars, counts, given, member_pk):
        """The bars for a member: counts alone on their own comments (and everywhere
        when they may not react), else a bar to react with and, once a page, the
        picker site.js opens."""
        html = []
        picker_wanted = bars.can_react
        for pk, mode, author in self.marked:
            these = counts.get(pk, _NONE)
            if author == member_pk:
                mode = OWN
            if mode != FULL or not bars.can_react:
                html.append(bars.drawn(pk, mode, these))
                continue
            bar = bars.member_bar(pk, these, given.get(pk, ()))
            if picker_wanted:
                bar += bars.picker().encode()
                picker_wanted = False
            html.append(bar)
        return html

    def for_visitors(self, bars, counts):
        shown = tuple(counts.get(pk, _NONE) for pk, _mode, _author in self.marked)
        drawn = self.drawn
        if (
            drawn is not None
            and drawn[0] is bars.source_kinds
            and drawn[1] == bars.language
            and drawn[2] == shown
        ):
            return drawn[3]
        html = [
            bars.drawn(pk, mode, these)
            for (pk, mode, _author), these in zip(self.marked, shown, strict=True)
        ]
        self.drawn = (bars.source_kinds, bars.language, shown, html)
        return html


def _may_react(member):
    try:
        ensure_can_post(member)
    except Refused:
        return False
    return True
