"""Whole-page caching for the busiest pages, always fresh.

A cached page is stored under a key made of everything that changes what the
page shows:

- the path and the query: the page number (``?page=``) and any other parameter
  the caller allows (an order, ``?sort=``);
- the active time zone, which the page's times are rendered in (a member
  chooses theirs: fansite.users.middleware);
- the *variant*: who the page is for, as a string the caller computes from the
  request, or None when this request's page must not be cached at all. The
  site's pages vary by reader (fansite.spoilers.caching: progress, revealed
  items, the member's id and header fields);
- the *generation* of each scope the page depends on ("site", "listings",
  "articles", "thread:<pk>"). A generation is a random token in the cache;
  any write to content in a scope replaces it (after the transaction commits),
  so every page rendered before the write is simply never asked for again.

Pages are only cached for plain GETs whose query names nothing but the
parameters the caller allows, with no pending messages. CSRF tokens are
punched out before storing and the reader's own token is put back on every hit.

Invalidation is wired by each app in its ``AppConfig.ready()`` with
:func:`bump_on_change` (saves and deletes of what its pages show) and, for bulk
updates that send no signals, by the services that make them.

While the cache does not answer (fansite.web.cache: Redis is down), pages are
rendered afresh and not stored, and a generation that cannot be read is a
throwaway token, so nothing stored under it is ever served. Generations that
could not be replaced meanwhile, and the "site" generation, are deleted when
the cache answers again, so no page from before the outage survives it.

This module knows nothing of the product: it imports no app.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone

from . import csrf
from .cache import drop_after_outage
from .lru import LocalLRU

SITE = "site"
LISTINGS = "listings"
ARTICLES = "articles"
PAGE_PARAM = "page"
CSRF_SENTINEL = "__fansite_csrf_token__"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def _code_version() -> str:
    """A digest of the templates and the code that render pages. It is part of
    every key, so pages and cards rendered by an older release are never served
    by a newer one, even before a deploy's ``migrate`` replaces the generations."""
    digest = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    for folder, pattern in (("templates", "*.html"), ("fansite", "*.py")):
        for path in sorted((root / folder).rglob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def thread_scope(pk) -> str:
    return f"thread:{pk}"


def form_token(request):
    """The CSRF token for this response's forms: one per request, since each
    token masks the secret afresh and every masked form of the same secret is
    valid (drawn by ``fansite.web.csrf`` as Django draws it, only faster). Code
    filling forms into a page after the page cache (``notifications.markers``)
    uses it too."""
    token = getattr(request, "_fansite_form_token", None)
    if token is None:
        token = request._fansite_form_token = csrf.get_token(request)
    return token


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _available(cache) -> bool:
    """False while the cache backend says it is not answering (fansite.web.cache);
    other backends always claim to be."""
    return getattr(cache, "available", True)


def _generation_key(scope: str) -> str:
    return f"pagegen:{scope}"


# How long a generation is kept. One that expires is as if replaced: its pages
# are rendered again, and nothing old can match the new random token. The bound
# keeps the cache from holding forever a key for every address anyone has asked
# for (a thread id that does not exist, say).
GENERATION_SECONDS = 30 * 24 * 60 * 60


# Every page depends on "site": replacing it after an outage drops every page
# from before it, including those that a write in a process that died during
# the outage could not drop.
drop_after_outage(_generation_key(SITE))


def bump(*scopes: str) -> None:
    """Make every cached page that depends on ``scopes`` stale: once the write
    commits, and for the writing transaction itself at once."""
    keys = {_generation_key(scope) for scope in scopes}

    def replace():
        tokens = {key: secrets.token_hex(8) for key in keys}
        _cache().set_many(tokens, timeout=GENERATION_SECONDS)
        _pending_forget(keys)

    # The transaction's own pages see the change at once (and tests, which never
    # commit). Nobody else can see its rows before the commit, so nobody else's
    # pages change until then: other processes keep serving the pages they have,
    # as true as any they could render, and after the commit the new generations
    # drop them, with any page rendered from the old rows in between.
    _pending_bump(keys)
    transaction.on_commit(replace)


# Generations replaced by a transaction that has not committed yet, for that
# transaction's own pages: on its connection (one a thread), with the outermost
# atomic block it belongs to. Once that block is over (committed, and the shared
# generations replaced; or rolled back, and nothing changed) they no longer count.
_PENDING = "_fansite_pending_generations"


def _pending_bump(keys):
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return  # autocommit: the commit, and the shared bump, are now
    outermost = connection.atomic_blocks[0]
    pending = getattr(connection, _PENDING, None)
    if pending is None or pending[0] is not outermost:
        pending = (outermost, {})
        setattr(connection, _PENDING, pending)
    pending[1].update({key: secrets.token_hex(8) for key in keys})


def _pending_forget(keys):
    pending = getattr(transaction.get_connection(), _PENDING, None)
    if pending is not None:
        for key in keys:
            pending[1].pop(key, None)


def _pending_tokens() -> dict:
    """``{generation key: token}`` this transaction replaced and has not committed."""
    connection = transaction.get_connection()
    pending = getattr(connection, _PENDING, None)
    if (
        pending is None
        or not pending[1]
        or not connection.atomic_blocks
        or connection.atomic_blocks[0] is not pending[0]
    ):
        return {}
    return pending[1]


def _current(found: dict) -> dict:
    """``found`` (generation keys and tokens as the cache holds them, and anything
    else) as this transaction sees them: each generation it replaced is the shared
    token and its own together, so that a change committed elsewhere meanwhile
    still counts."""
    pending = _pending_tokens()
    if not pending:
        return found
    mine = {key: f"{found[key]}~{token}" for key, token in pending.items() if key in found}
    return {**found, **mine}


def expire(scope: str, seconds: int) -> None:
    """Let ``scope``'s current generation lapse after ``seconds``: the next page
    then gets a new one (for state that is worked out again on a timer, such as
    a thread's "Top" order)."""
    _cache().touch(_generation_key(scope), seconds)


def bump_on_change(model, scopes):
    """Bump ``scopes(instance)`` whenever a ``model`` row is saved or deleted: pages
    must be dropped whoever writes (services, the admin, management commands).
    Call it from the model's ``AppConfig.ready()``."""

    def changed(sender, instance, **kwargs):
        bump(*scopes(instance))

    label = model._meta.label
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"pagecache-{label}")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"pagecache-d-{label}")


def _generations(scopes) -> list[str]:
    cache = _cache()
    keys = [_generation_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        # add() so that two processes starting at once agree on one token.
        cache.add(key, secrets.token_hex(8), timeout=GENERATION_SECONDS)
        found[key] = cache.get(key)
        if found[key] is None:
            # The cache is not answering: a token nobody else has, so that
            # nothing stored under it (a comment card) is ever found again.
            found[key] = secrets.token_hex(8)
    found = _current(found)
    return [str(found[key]) for key in keys]


def generation(scope: str) -> str:
    """The current token of one scope (for caches keyed by it, like comment cards)."""
    return _generations([scope])[0]


def _page_key(request, variant, params) -> str | None:
    """The page's key for this request (generations apart, which are checked on
    read), or None when the page must be rendered afresh."""
    if request.method not in ("GET", "HEAD"):
        return None
    if not params.issuperset(request.GET.keys()):
        return None
    # Messages wait in a cookie or in the session: without cookies there are none.
    if request.COOKIES and len(get_messages(request)):
        return None
    who = variant(request)
    if who is None:
        return None
    parts = [
        CODE_VERSION,
        request.path,
        # Every allowed parameter (the page, a sort order…), in a fixed order.
        repr(sorted((name, sorted(values)) for name, values in request.GET.lists())),
        timezone.get_current_timezone_name(),
        who,
    ]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"page:{digest}"


def _page_weight(stored) -> int:
    return sum(map(len, stored[2]))


# This process's most recently used pages, in front of the shared cache. An
# entry is only ever served after the current generations have been read from
# the shared cache and found equal to the ones it was rendered under, so it is
# exactly as fresh as the shared copy; it only spares moving the page's bytes
# out of Redis on every request. Bounded in bytes and by PAGE_CACHE_SECONDS.
local_pages = LocalLRU(max_bytes=settings.PAGE_CACHE_LOCAL_BYTES, weight=_page_weight)


_EXTRAS = "_fansite_page_extras"


class Kept:
    """A small value worked out from the database (a thread's counts), cached under
    the generation of ``scope`` as it was before the value was worked out, like a
    page: replacing the generation makes it stale. Pages that fill such values in
    after the cache name them in ``cached_page(extras=…)``, so they are read in
    the same round trip as the page."""

    def __init__(self, key: str, scope: str):
        self.key = key
        self.scope = scope
        self.generation_key = _generation_key(scope)

    def cache_keys(self) -> list[str]:
        return [self.key, self.generation_key]

    def _read(self, request):
        found = getattr(request, _EXTRAS, None) or {}
        if self.generation_key not in found:
            found = _current(_cache().get_many(self.cache_keys()))
        stored = found.get(self.key)
        token = found.get(self.generation_key)
        if token is None:
            token = _generations([self.scope])[0]
        return stored, str(token)

    def current(self, request):
        """The value when the cache holds it current, else None."""
        stored, token = self._read(request)
        return stored[1] if stored is not None and stored[0] == token else None

    def get(self, request, work_out):
        """The value, from the cache when it is current, else ``work_out()`` (stored
        under the generation read before it ran)."""
        stored, token = self._read(request)
        if stored is not None and stored[0] == token:
            return stored[1]
        value = work_out()
        _cache().set(self.key, (token, value), KEPT_SECONDS)
        return value

    def store(self, request, value):
        """Keep ``value``, worked out by a page's view, under the generation the page
        cache read before the view ran (not stored when it read none)."""
        found = getattr(request, _EXTRAS, None) or {}
        token = found.get(self.generation_key)
        if token is not None:
            _cache().set(self.key, (str(token), value), KEPT_SECONDS)


KEPT_SECONDS = 24 * 60 * 60


_PREFETCH = "_fansite_prefetch"
_PREFETCHED = "_fansite_prefetched"


def prefetch(request, keys):
    """Have the page cache read the cache keys ``keys()`` gives in the same round
    trip as this request's page, for code that fills the page in after the cache
    (fansite.web.markers). ``keys`` is called when the page is looked up, once the
    reader is known; what it read is given by ``prefetched`` if the page was a hit."""
    request.__dict__.setdefault(_PREFETCH, []).append(keys)


def prefetched(request, keys):
    """``{key: value}`` for those of ``keys`` the cache held when this request's page
    was looked up, or None unless the page was served from the cache and ``keys``
    were all asked for then. On a miss the view ran afterwards and may have changed
    what they hold (reading a thread marks its notifications read), so they are
    read again."""
    asked, found = getattr(request, _PREFETCHED, (frozenset(), None))
    if found is None or not asked.issuperset(keys):
        return None
    return {key: found[key] for key in keys if key in found}


def read_prefetched(request):
    """For a response the page cache did not serve: read every key ``prefetch``
    named now, after the view, in one round trip, and keep them for ``prefetched``
    (so the fillers of a page drawn afresh share one read rather than one each).
    Nothing when they were read with a served page, or none were named."""
    if getattr(request, _PREFETCHED, None) is not None:
        return
    keys = _prefetch_keys(request)
    if keys:
        setattr(request, _PREFETCHED, (frozenset(keys), _cache().get_many(keys)))


def _prefetch_keys(request) -> list[str]:
    return [key for keys in getattr(request, _PREFETCH, ()) for key in keys()]


def _lookup(page_key, scopes, request=None, extra_keys=(), prefetch_keys=()):
    """The stored page and the current generations, in one cache round trip (with
    ``extra_keys``, kept on ``request`` for ``Kept``, and ``prefetch_keys``, kept for
    ``prefetched`` when the page is served). The page only counts when it was
    rendered under the current generations."""
    cache = _cache()
    generation_keys = [_generation_key(scope) for scope in scopes]
    local = local_pages.get(page_key)
    wanted = generation_keys if local is not None else [page_key, *generation_keys]
    found = _current(cache.get_many([*wanted, *extra_keys, *prefetch_keys]))
    if request is not None and extra_keys:
        setattr(request, _EXTRAS, {key: found[key] for key in extra_keys if key in found})
    if any(key not in found for key in generation_keys):
        generations = _generations(scopes)
    else:
        generations = [str(found[key]) for key in generation_keys]
    stored = local if local is not None else found.get(page_key)
    if stored is not None and stored[0] == generations:
        if local is None:
            local_pages.put(page_key, stored, settings.PAGE_CACHE_SECONDS)
        if request is not None and prefetch_keys:
            setattr(request, _PREFETCHED, (frozenset(prefetch_keys), found))
        return stored, generations
    return None, generations


def _served(request, stored):
    """The response for a stored page. Bytes throughout: a hit neither decodes nor
    encodes the page, and the reader's token joins the pieces around the forms'
    tokens."""
    _generations_then, content_type, pieces = stored
    token = form_token(request).encode()
    body = token.join(pieces)
    response = HttpResponse(body, content_type=content_type)
    response["X-Page-Cache"] = "hit"
    setattr(response, _SERVED, (pieces, body))
    return response


def _store(key, generations, response):
    body = _CSRF_INPUT.sub(rb"\g<1>" + CSRF_SENTINEL.encode() + rb"\g<2>", response.content)
    pieces = tuple(body.split(CSRF_SENTINEL.encode()))
    stored = (generations, response["Content-Type"], pieces)
    _cache().set(key, stored, settings.PAGE_CACHE_SECONDS)
    local_pages.put(key, stored, settings.PAGE_CACHE_SECONDS)


# One render of a page at a time. When a write drops a busy page, every request
# for it misses at once (each of a site's workers, on premiere night): the first
# claims the render, and the others wait for the page it stores instead of each
# rendering it again. The claim is a cache key (``add``: one process wins), named
# by the page and the generations it is rendered under; it lapses by itself
# should its process die mid-render.
RENDER_LOCK_SECONDS = 10
# How often a waiting request looks for the page.
_WAIT_STEP = 0.002


def _render_lock(key, generations) -> str:
    digest = hashlib.blake2b("\n".join(generations).encode(), digest_size=8).hexdigest()
    return f"pagelock:{key}:{digest}"


def _render_or_wait(key, generations):
    """``(page, claim)``: the page another request has rendered under
    ``generations`` (waited for, or stored between this request's lookup and its
    claim), else None and this request's claim on rendering it (None when waiting
    is off or another request held it and its render ended without a page)."""
    if settings.PAGE_CACHE_WAIT_SECONDS <= 0:
        return None, None
    lock = _render_lock(key, generations)
    if not _claim(lock):
        # Another request is rendering this very page: wait for it.
        return _wait_for(key, generations, lock), None
    # A render that ended between the lookup and the claim may have stored it.
    stored = _if_current(key, _cache().get(key), generations)
    if stored is not None:
        _cache().delete(lock)
        return stored, None
    return None, lock


def _claim(lock) -> bool:
    return bool(_cache().add(lock, 1, timeout=RENDER_LOCK_SECONDS))


def _if_current(key, stored, generations):
    """``stored`` (kept in this process's copy too) when it was rendered under
    ``generations``, else None."""
    if stored is None or stored[0] != generations:
        return None
    local_pages.put(key, stored, settings.PAGE_CACHE_SECONDS)
    return stored


def _wait_for(key, generations, lock):
    """The page another request is rendering under ``generations``, once it has
    stored it; None when that request ends without storing it (an error, a page
    not to be cached), or after PAGE_CACHE_WAIT_SECONDS: this request then renders
    the page itself. A page stored under ``generations`` is exactly as fresh as
    one this request would render (a hit is served on the same terms)."""
    cache = _cache()
    deadline = time.monotonic() + settings.PAGE_CACHE_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(_WAIT_STEP)
        found = cache.get_many([key, lock])
        stored = _if_current(key, found.get(key), generations)
        if stored is not None:
            return stored
        if lock not in found:
            return None
    return None


_SERVED = "_fansite_served_pieces"


def served_pieces(response, content):
    """The stored pieces a page served from the cache was joined from, around the
    reader's CSRF token (``form_token``), or None when ``content`` is not that page:
    rendered afresh, or changed since. The same stored page gives the same pieces
    object for as long as this process keeps it (``local_pages``), so code that
    works on pages after the cache may keep what it learnt of them."""
    served = getattr(response, _SERVED, None)
    if served is None or served[1] is not content:
        return None
    return served[0]


def _storable(response) -> bool:
    return (
        not getattr(response, "page_cache_refused", False)
        and response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and "no-cache" not in response.get("Cache-Control", "")
    )


def cached_page(scopes, *, variant, params=frozenset({PAGE_PARAM}), extras=None):
    """Cache a view's page for each variant. ``scopes(request, **kwargs)`` names the
    scopes the page depends on besides "site"; ``variant(request)`` says whom the
    page is for (None: never cache this request's page); a query naming any
    parameter outside ``params`` (such as a form's ``?reply_to=``) means the
    page is rendered afresh.

    A page is stored with the generations read *before* it was rendered: if a
    write replaces one while the page renders, the stored copy is already stale
    and the next reader renders it again. ``extras(request, **kwargs)`` lists
    ``Kept`` values the page fills in after the cache: they are read with it.

    A view may say that its response must not be stored (a page number that is
    not the page it shows, say) by setting ``response.page_cache_refused``."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not settings.PAGE_CACHE_SECONDS:
                return view(request, *args, **kwargs)
            if not _available(_cache()):
                # Redis is down: render from the database, store nothing.
                response = view(request, *args, **kwargs)
                response["X-Page-Cache"] = "unavailable"
                return response
            key = _page_key(request, variant, params)
            if key is None:
                return view(request, *args, **kwargs)
            kept_values = extras(request, **kwargs) if extras else ()
            extra_keys = [k for kept in kept_values for k in kept.cache_keys()]
            stored, generations = _lookup(
                key,
                [SITE, *scopes(request, **kwargs)],
                request,
                extra_keys,
                _prefetch_keys(request),
            )
            if stored is not None:
                return _served(request, stored)
            stored, lock = _render_or_wait(key, generations)
            if stored is not None:
                response = _served(request, stored)
                response["X-Page-Cache-Waited"] = "1"
                return response
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                if _storable(response):
                    _store(key, generations, response)
                    response["X-Page-Cache"] = "miss"
            finally:
                if lock is not None:
                    _cache().delete(lock)
            return response

        return wrapper

    return decorator
