"""Reveal links: the reader asks to see one gated item by adding its key to the
address (``?reveal=c123``). Every link a page builds keeps the keys already
there, so revealing one item never hides another."""

from urllib.parse import urlencode

from .readers import REVEAL_PARAM


def reveal_url(request, item, anchor=""):
    """The current page's address with ``item`` added to the revealed items;
    other query parameters (the page number, earlier reveals) are kept."""
    query = request.GET.copy()
    revealed = query.getlist(REVEAL_PARAM)
    if item.reveal_key not in revealed:
        query.setlist(REVEAL_PARAM, [*revealed, item.reveal_key])
    fragment = f"#{anchor}" if anchor else ""
    return f"{request.path}?{query.urlencode()}{fragment}"


def requested_reveals(request):
    """The reveal keys in the current address, to carry over to another page."""
    return request.GET.getlist(REVEAL_PARAM)


def with_reveals(url, reveals):
    """``url`` (without a query) carrying the reveal keys ``reveals``."""
    if not reveals:
        return url
    return f"{url}?{urlencode({REVEAL_PARAM: reveals}, doseq=True)}"


def revealing_for_author(url, item, reader):
    """Where to send the author of ``item`` after they wrote it: ``url``, revealing
    the item when it spoils more than they have watched (they know what they wrote)."""
    if reader.spoils(item):
        return with_reveals(url, [item.reveal_key])
    return url
