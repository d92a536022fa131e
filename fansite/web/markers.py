"""Markers in pages: ``<!--app:…-->`` comments a template leaves where something
of the reader's own goes (an unread count, a Follow button, reaction counts),
filled in after the page cache, so cached pages carry them too.

This module knows nothing of the product. Each app gives a ``Filler``: the name
its markers start with, the pattern of one marker, and what each becomes for the
request (``settings.PAGE_MARKERS`` lists them). One middleware fills them all in
one pass over the page: the page is searched for markers once, and its bytes
are joined once.

A page served from the page cache is searched once per process, not once per
request: what was found is kept with the stored page (``_found_in``), and each
request only fills it in.

What fillers read from the database for the cache (a member's unread count,
their reactions) they leave in ``writes(request)``; the middleware stores it
all in one round trip once the page is filled.
"""

import re

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from . import pagecache
from .cache import set_each
from .lru import LocalLRU

_OPEN = b"<!--"


# Where the reader's CSRF token goes in markup a filler draws once for every
# reader (``around_token``). No request can put it in the markup: a NUL in an
# address or a cookie is refused or dropped (fansite.web.middleware).
TOKEN_HOLE = "\x00token\x00"


def around_token(html):
    """``html``, drawn with ``TOKEN_HOLE`` for the CSRF token, as the bytes around
    it: ``with_token`` puts a reader's token back."""
    return tuple(html.encode().split(TOKEN_HOLE.encode()))


def with_token(pieces, token):
    """``around_token``'s pieces joined by ``token`` (bytes)."""
    return token.join(pieces)


class Filler:
    """One app's markers, ``<!--<name>:…-->``. ``pattern`` matches one whole marker."""

    name = b""
    pattern = None
    # Markers only members' pages carry: on anyone else's page they become nothing,
    # without asking ``fill``.
    members_only = False

    def fill(self, request, matches):
        """A function giving each of ``matches`` (this filler's markers on the page,
        in the page's order: ``Matches``) the bytes it becomes for ``request``, or
        the list of those bytes in order."""
        raise NotImplementedError

    def cache_keys(self, request):
        """Cache keys ``fill`` will read for this request: read with a cached page
        in its round trip (``pagecache.prefetched``), none by default."""
        return []


_WRITES = "_fansite_marker_writes"
_READER = "_fansite_marker_reader"


def reading(request):
    """``(language, full path)`` of the request, worked out once for all its fillers
    (each wants one or both, and each costs a few microseconds to ask for)."""
    found = request.__dict__.get(_READER)
    if found is None:
        found = request.__dict__[_READER] = (get_language(), request.get_full_path())
    return found


def writes(request):
    """This request's cache writes, ``{key: (value, timeout)}``: the fillers add
    to it, and the middleware stores it once every marker is filled."""
    found = getattr(request, _WRITES, None)
    if found is None:
        found = {}
        setattr(request, _WRITES, found)
    return found


class Matches(list):
    """One filler's markers on a page, in order (``re.Match`` objects). For a page
    served from the page cache it is the same list for every request in this
    process, and ``memo`` keeps what the filler worked out from the markers
    themselves (their ids, say) for as long as the page is kept."""

    __slots__ = ("memo",)

    def __init__(self, matches=()):
        super().__init__(matches)
        self.memo = {}

    def kept(self, build):
        """``build(self)``, worked out once for this list (kept in ``memo``)."""
        value = self.memo.get(build)
        if value is None:
            value = self.memo[build] = build(self)
        return value


class MarkersMiddleware:
    """Fills every marker of HTML responses with what its ``Filler`` says."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.fillers = [import_string(path)() for path in settings.PAGE_MARKERS]
        self.names = _Names(self.fillers)
        # Only fillers that name keys ask the page cache for them.
        self.prefetching = [
            filler for filler in self.fillers if type(filler).cache_keys is not Filler.cache_keys
        ]
        # What was found in this process's recently served cached pages, by the
        # identity of the stored pieces (kept alive by the entry, so the identity
        # is never reused while it is here). The busiest pages are what matter:
        # a quarter of the pages' own budget, since an entry keeps its page's
        # bytes alive after the worker's copy of the page has gone.
        self.found_in_pieces = LocalLRU(
            max_bytes=settings.PAGE_CACHE_LOCAL_BYTES // 4, weight=_found_weight
        )

    def __call__(self, request):
        if self.prefetching:
            pagecache.prefetch(
                request,
                lambda: [key for filler in self.prefetching for key in filler.cache_keys(request)],
            )
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        content = response.content
        served = pagecache.served_pieces(response, content)
        found = self._found(content) if served is None else self._found_in(served)
        if not found.markers:
            return response
        token = b"" if served is None else pagecache.form_token(request).encode()
        if served is None:
            pagecache.read_prefetched(request)
        content = found.fill(request, self.fillers, token)
        set_each(cache, getattr(request, _WRITES, None))
        response.content = content
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(content))
        return response

    def _found(self, content):
        return Found([content], self.names, self.fillers)

    def _found_in(self, served):
        """What was found in the stored pieces of a page served from the cache:
        searched for once, while this process keeps the page."""
        found = self.found_in_pieces.get(id(served))
        if found is None or found.pieces is not served:
            found = Found(served, self.names, self.fillers)
            self.found_in_pieces.put(id(served), found, settings.PAGE_CACHE_SECONDS or 1)
        return found


class _Names:
    """Each filler's place by the name its markers start with, and a pattern for
    where any of them may start: the page is searched in one pass of the regular
    expression engine, not a loop over every ``<!--`` (a member's page drawn afresh
    has some two hundred markers, and the loop cost it 0.4 ms)."""

    def __init__(self, fillers):
        self.index = {filler.name: place for place, filler in enumerate(fillers)}
        names = b"|".join(re.escape(name) for name in self.index)
        self.start = re.compile(re.escape(_OPEN) + b"(" + names + b"):")


class Found:
    """A page cut at its markers: ``pieces`` are the page's bytes between the
    reader's CSRF tokens (a page from the cache) or the whole page, ``literals``
    the bytes around the ``holes`` (each a marker or a token), and ``markers``
    each filler's holes and its markers there (``Matches``)."""

    def __init__(self, pieces, names, fillers):
        self.pieces = pieces
        self.literals = []
        self.holes = 0
        self.markers = {}  # filler index → ([hole number, …], Matches)
        for number, piece in enumerate(pieces):
            if number:
                self.holes += 1  # the reader's CSRF token
            self._cut(memoryview(piece), piece, names, fillers)

    def _cut(self, view, piece, names, fillers):
        start = 0
        for candidate in names.start.finditer(piece):
            at = candidate.start()
            if at < start:
                continue  # inside the marker just taken
            index = names.index[candidate[1]]
            match = fillers[index].pattern.match(piece, at)
            if match is None:
                continue
            self.literals.append(view[start:at])
            found = self.markers.get(index)
            if found is None:
                found = self.markers[index] = ([], Matches())
            holes, matches = found
            holes.append(self.holes)
            matches.append(match)
            self.holes += 1
            start = match.end()
        self.literals.append(view[start:])

    def fill(self, request, fillers, token=b"") -> bytes:
        """The page for ``request``, its CSRF ``token`` in the token holes."""
        parts = [token] * (2 * self.holes + 1)
        parts[::2] = self.literals
        for index, (holes, matches) in self.markers.items():
            filler = fillers[index]
            if filler.members_only and not request.user.is_authenticated:
                filled = [b""] * len(matches)
            else:
                filled = filler.fill(request, matches)
                if callable(filled):
                    filled = [filled(match) for match in matches]
            for hole, html in zip(holes, filled, strict=True):
                parts[2 * hole + 1] = html
        return b"".join(parts)


def _found_weight(found):
    return sum(map(len, found.pieces))
