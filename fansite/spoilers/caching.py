"""Pages cached per reader: the page cache (fansite.web.pagecache) keyed by what
the reader has watched and revealed.

A reader never receives a page rendered for someone further along (progress is
part of the key), nor one that asks "How far have you watched?" once they have
answered, or the other way round (whether they have is part of it too), nor one
with items revealed that they did not ask for (their own sorted reveal tokens
are too; an address with tokens that are not theirs
never reaches the cache: fansite.spoilers.middleware). A visitor's page with
reveals carries their tokens in its links, so it is theirs alone. A member's
page is theirs alone: it carries their id and the profile fields the header
shows. Staff (who see hidden content), banned and deactivated members are never
served cached pages.
"""

from fansite.web import pagecache

from .readers import REVEAL_PARAM, has_chosen_progress, reader_for

# Query parameters that select what a cached page shows; any other parameter
# (reply_to, quote, anything unknown) means the page is rendered afresh.
PAGE_PARAMS = frozenset({pagecache.PAGE_PARAM, REVEAL_PARAM})


def reader_variant(request, *, shared=False) -> str | None:
    """Whom the page is for, or None when it must not be cached. ``shared``: one
    page for every member alike (see above)."""
    user = request.user
    reader = reader_for(request)
    reveals = ",".join(reader.reveal_tokens)
    # Whether the page asks "How far have you watched?" (includes/_first_visit.html).
    asks = "ask" if not has_chosen_progress(request) else ""
    if not user.is_authenticated:
        return f"{reveals}\nv:{reader.progress}:{asks}"
    if user.is_staff or user.is_superuser or not user.is_active or user.is_banned:
        return None
    if shared:
        # Whether they chose a time zone changes the footer's line (the zone
        # itself is part of every key: fansite.web.pagecache).
        zone = "z" if user.time_zone else ""
        return f"{reveals}\nm:{reader.progress}:{asks}:{zone}"
    # Fields shown in the header and the compose form; a change to any of them
    # gives a new key without waiting for an invalidation.
    return f"{reveals}\nm:{user.pk}:{reader.progress}:{asks}:{user.display_name}:{user.avatar}"


def shared_variant(request) -> str | None:
    return reader_variant(request, shared=True)


def cache_per_reader(scopes, params=(), *, shared=False, extras=None):
    """``@cache_per_reader(lambda request, pk: [...scopes])``: cache a view's page
    for each reader (see fansite.web.pagecache.cached_page for ``scopes``).
    ``params``: query parameters the page may also have, besides the page number
    and reveals (each value is cached apart). ``shared``: members share pages
    (the page's template leaves markers for everything of their own). ``extras``:
    see ``cached_page``."""
    return pagecache.cached_page(
        scopes,
        variant=shared_variant if shared else reader_variant,
        params=PAGE_PARAMS | frozenset(params),
        extras=extras,
    )
