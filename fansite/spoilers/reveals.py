"""Revealing one gated item: the reader's own act, never someone else's link.

"Show" on a gate is a button posting to the reveal endpoint
(``spoilers:reveal``, CSRF-protected). The endpoint sends the reader back to
the page with a token for that item added to the address, made for this reader
alone (fansite.spoilers.tokens). Links the page builds (pagination, replies,
permalinks) carry the reader's tokens on, so revealing one item never hides
another. An address holding tokens that are not the reader's reveals nothing:
the reader is asked first (fansite.spoilers.middleware).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

from django.http import QueryDict

from . import tokens
from .readers import MAX_REVEALS, REVEAL_PARAM, Reader, reader_for

ANCHOR_SEPARATOR = "#"

# Item kinds by key prefix ("c" for comments): the model and the lookup that
# gives an item's spoiler level. Apps register their kinds in
# AppConfig.ready(), so this package imports none of theirs.
_kinds: dict[str, tuple[type, str]] = {}


def register_kind(prefix: str, model, level_lookup: str) -> None:
    """Keys ``<prefix><pk>`` name ``model`` rows; ``level_lookup`` (a field or a
    lookup such as "spoils_episode__position") is their spoiler level."""
    _kinds[prefix] = (model, level_lookup)


def levels_of(keys: Iterable[str]) -> dict[str, int | None]:
    """The spoiler level of each key that names an existing item, one query per kind."""
    by_kind: dict[str, dict[int, str]] = {}
    for key in keys:
        prefix, digits = key[:1], key[1:]
        if prefix in _kinds and digits.isdigit() and digits.isascii():
            by_kind.setdefault(prefix, {})[int(digits)] = key
    found = {}
    for prefix, keys_by_pk in by_kind.items():
        model, level_lookup = _kinds[prefix]
        rows = model._default_manager.filter(pk__in=list(keys_by_pk))
        for pk, level in rows.values_list("pk", level_lookup):
            found[keys_by_pk[pk]] = level
    return found


def reveal_value(item, anchor: str = "") -> str:
    """What a Show button sends: the item's key and where to land on the page."""
    return f"{item.reveal_key}{ANCHOR_SEPARATOR}{anchor}" if anchor else item.reveal_key


def requested_reveals(request) -> list[str]:
    """The reader's own reveal tokens in the current address, to carry to another page."""
    return reader_for(request).reveal_tokens


def with_reveals(url: str, reveals: Iterable[str]) -> str:
    """``url`` (without a query) carrying the reveal tokens ``reveals``."""
    reveals = list(reveals)
    if not reveals:
        return url
    return f"{url}?{urlencode({REVEAL_PARAM: reveals}, doseq=True)}"


def revealed_url(url: str, item, reader: Reader) -> str:
    """``url`` (the page of ``item``, without a query) carrying the reader's token
    for ``item`` when the reader revealed it here, so it opens readable there."""
    if reader.spoils(item) and item.reveal_key in reader.revealed:
        return with_reveals(url, [reader.token(item.reveal_key)])
    return url


def revealing_for_author(url: str, item, reader: Reader) -> str:
    """Where to send the author of ``item`` after they wrote it: ``url``, revealing
    the item when it spoils more than they have watched (they know what they wrote)."""
    if reader.spoils(item) and reader.binding:
        return with_reveals(url, [reader.token(item.reveal_key)])
    return url


def adding_reveals(next_url: str, values: Iterable[str], reader: Reader) -> str:
    """``next_url`` (a path on this site) with the items ``values`` revealed for
    ``reader``: ``values`` are what Show buttons send ("c12#comment-12").

    The reader's own tokens already in the address are kept; anything else there
    under ``reveal`` (foreign or bare keys) is dropped, as it revealed nothing.
    Past MAX_REVEALS the earliest reveals give way.
    """
    parts = urlsplit(next_url)
    query = QueryDict(parts.query, mutable=True)
    kept = []
    for value in query.getlist(REVEAL_PARAM):
        key, is_own = tokens.read(value, reader.binding)
        if is_own and key not in kept:
            kept.append(key)
    anchor = ""
    for value in values:
        key, _, wanted_anchor = value.partition(ANCHOR_SEPARATOR)
        if not tokens.is_key(key):
            continue
        anchor = anchor or wanted_anchor
        if key in kept:
            kept.remove(key)
        kept.append(key)
    query.setlist(REVEAL_PARAM, [reader.token(key) for key in kept[-MAX_REVEALS:]])
    encoded = query.urlencode()
    path = parts.path or "/"
    address = f"{path}?{encoded}" if encoded else path
    return f"{address}#{anchor}" if anchor and anchor.replace("-", "").isalnum() else address


def without_foreign(request) -> str:
    """The current address with every reveal that is not the reader's own removed."""
    return adding_reveals(request.get_full_path(), [], reader_for(request))
