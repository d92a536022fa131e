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
from fansite.web.markers import Filler, reading, with_token, writes
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
        language, path = reading(request)
        bars = Bars(
            kinds,
            can_react=can_react,
            token=pagecache.form_token(request) if can_react else "",
            path=iri_to_uri(path),
            language=language,
        )
        if member is None:
            return page.for_visitors(bars, counts)
        return page.for_member(bars, counts, given, member.pk, bars.token.encode())

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
        # Each comment's places among the markers, and each author's.
        self.places, self.by_author = {}, {}
        for place, (pk, _mode, author) in enumerate(self.marked):
            self.places.setdefault(pk, []).append(place)
            if author is not None:
                self.by_author.setdefault(author, set()).add(place)
        self.drawn = None  # (kinds, language, counts of each marker, bars)
        # (kinds, language, address, may react, counts of each marker, pieces)
        self.member_drawn = None

    def for_member(self, bars, counts, given, member_pk, token):
        """The bars for a member, with ``token`` (theirs, bytes) in their forms.

        Bars are the same for every member but for the token, their own comments
        and the comments they reacted to. So the page's bars are cut around the
        token once for as long as the counts, kinds and language are
        (``_shared``), each request redraws only the member's own few, and joins
        its token in."""
        pieces, picker_at = self._shared(bars, counts)
        own = self.by_author.get(member_pk, ())
        if picker_at in own:
            # The picker goes with the member's first bar to react with.
            pieces = self._member_pieces(bars, counts, given, member_pk)
        elif own or (given and bars.can_react):
            pieces = list(pieces)
            for place in own:
                pk = self.marked[place][0]
                pieces[place] = (bars.drawn(pk, OWN, counts.get(pk, _NONE)),)
            for pk, kinds in given.items() if bars.can_react else ():
                for place in self.places.get(pk, ()):
                    if place in own or self.marked[place][1] != FULL:
                        continue
                    bar = bars.member_pieces(pk, counts.get(pk, _NONE), kinds)
                    pieces[place] = _with_picker(bar, bars) if place == picker_at else bar
        return [with_token(each, token) for each in pieces]

    def _shared(self, bars, counts):
        """The bars of a member who neither wrote nor reacted to any comment of the
        page, around the token, and the place of the one carrying the picker."""
        shown = tuple(counts.get(pk, _NONE) for pk, _mode, _author in self.marked)
        drawn = self.member_drawn
        if (
            drawn is None
            or drawn[0] is not bars.source_kinds
            or drawn[1:4] != (bars.language, bars.path, bars.can_react)
            or drawn[4] != shown
        ):
            pieces = self._member_pieces(bars, counts, {}, None)
            picker_at = next(
                (place for place, (_pk, mode, _author) in enumerate(self.marked) if mode == FULL),
                None,
            )
            drawn = self.member_drawn = (
                bars.source_kinds,
                bars.language,
                bars.path,
                bars.can_react,
                shown,
                (pieces, picker_at if bars.can_react else None),
            )
        return drawn[5]

    def _member_pieces(self, bars, counts, given, member_pk):
        """Each bar around the token (``around_token``): counts alone on the member's
        own comments (and everywhere when they may not react), else a bar to react
        with and, once a page, the picker site.js opens."""
        pieces = []
        picker_wanted = bars.can_react
        for pk, mode, author in self.marked:
            these = counts.get(pk, _NONE)
            if author is not None and author == member_pk:
                mode = OWN
            if mode != FULL or not bars.can_react:
                pieces.append((bars.drawn(pk, mode, these),))
                continue
            bar = bars.member_pieces(pk, these, given.get(pk, ()))
            if picker_wanted:
                bar = _with_picker(bar, bars)
                picker_wanted = False
            pieces.append(bar)
        return pieces

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


def _with_picker(bar, bars):
    """``bar``'s pieces followed by the picker's."""
    picker = bars.picker_pieces()
    return (*bar[:-1], bar[-1] + picker[0], *picker[1:])


def _may_react(member):
    try:
        ensure_can_post(member)
    except Refused:
        return False
    return True
