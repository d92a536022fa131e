"""Markers in pages: ``<!--app:…-->`` comments a template leaves where something
of the reader's own goes (an unread count, a Follow button, reaction counts),
filled in after the page cache, so cached pages carry them too.

This module knows nothing of the product. Each app gives a ``Filler``: the name
its markers start with, the pattern of one marker, and what each becomes for the
request (``settings.PAGE_MARKERS`` lists them). One middleware fills them all in
one pass over the page: the page is searched for markers once, and its bytes
are joined once.

A page served from the page cache is searched once per process, not once per
request: what was found is kept with the stored page (``_found``), and each
request only fills it in.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from . import pagecache
from .lru import LocalLRU

_OPEN = b"<!--"
# The longest app name a marker may start with.
_NAME_MAX = 32


class Filler:
    """One app's markers, ``<!--<name>:…-->``. ``pattern`` matches one whole marker."""

    name = b""
    pattern = None

    def fill(self, request, matches):
        """A function giving each of ``matches`` (this filler's markers on the page,
        in the page's order: ``Matches``) the bytes it becomes for ``request``, or
        the list of those bytes in order."""
        raise NotImplementedError

    def cache_keys(self, request):
        """Cache keys ``fill`` will read for this request: read with a cached page
        in its round trip (``pagecache.prefetched``), none by default."""
        return []


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
        self.by_name = {filler.name: index for index, filler in enumerate(self.fillers)}
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
        found = self._found(request, response, content)
        if not found.markers:
            return response
        content = found.fill(request, self.fillers)
        response.content = content
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(content))
        return response

    def _found(self, request, response, content):
        served = pagecache.served_pieces(response, content)
        if served is None:
            return Found([content], self.by_name, self.fillers)
        key = id(served)
        found = self.found_in_pieces.get(key)
        if found is None or found.pieces is not served:
            found = Found(served, self.by_name, self.fillers)
            self.found_in_pieces.put(key, found, settings.PAGE_CACHE_SECONDS or 1)
        return found.with_token(pagecache.form_token(request).encode())


class Found:
    """A page cut at its markers: ``pieces`` are the page's bytes between the
    reader's CSRF tokens (a page from the cache) or the whole page, ``literals``
    the bytes between holes, and each hole is a marker ``(filler index, match)``
    or ``None`` for a token."""

    def __init__(self, pieces, by_name, fillers, token=b""):
        self.pieces = pieces
        self.token = token
        self.literals, self.holes = [], []
        self.markers = {}  # filler index → [hole index, …]
        for number, piece in enumerate(pieces):
            if number:
                self.holes.append(None)
            self._cut(memoryview(piece), piece, by_name, fillers)
        holes = self.holes
        self.matches = {
            index: Matches(holes[position][1] for position in positions)
            for index, positions in self.markers.items()
        }

    def _cut(self, view, piece, by_name, fillers):
        start = at = 0
        while (at := piece.find(_OPEN, at)) != -1:
            colon = piece.find(b":", at + len(_OPEN), at + len(_OPEN) + _NAME_MAX)
            index = by_name.get(piece[at + len(_OPEN) : colon]) if colon != -1 else None
            match = fillers[index].pattern.match(piece, at) if index is not None else None
            if match is None:
                at += len(_OPEN)
                continue
            self.literals.append(view[start:at])
            self.markers.setdefault(index, []).append(len(self.holes))
            self.holes.append((index, match))
            start = at = match.end()
        self.literals.append(view[start:])

    def with_token(self, token):
        """This page as found, for a request whose CSRF token is ``token``."""
        copy = object.__new__(Found)
        copy.__dict__.update(self.__dict__)
        copy.token = token
        return copy

    def fill(self, request, fillers) -> bytes:
        parts = [self.token] * (2 * len(self.holes) + 1)
        parts[::2] = self.literals
        for index, positions in self.markers.items():
            matches = self.matches[index]
            filled = fillers[index].fill(request, matches)
            if callable(filled):
                filled = [filled(match) for match in matches]
            for position, html in zip(positions, filled, strict=True):
                parts[2 * position + 1] = html
        return b"".join(parts)


def _found_weight(found):
    return sum(map(len, found.pieces))
