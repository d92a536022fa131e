"""Rendered fragments of pages (comment cards, thread rows) kept under keys made of
everything they show, so a fragment found is always right and nothing ever needs
dropping: a change to what it shows is a new key.

Each process keeps the fragments it drew last in its own memory, in front of the
shared cache, so they work without Redis too. A page asks for all of its
fragments at once (``find``: this process's copies, then one call to the shared
cache for the rest) and stores each one it had to draw (``keep``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches

from .lru import ClearedWhenFull, LocalLRU


def digest(parts) -> str:
    """A short key for ``parts`` (a tuple of plain values: strings, numbers, None)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


class Fragments:
    """One kind of fragment: its key prefix, this process's copies of it, and the
    keys it worked out last."""

    def __init__(self, prefix, max_bytes, kept_keys=4096):
        self.prefix = prefix
        self.local = LocalLRU(max_bytes=max_bytes)
        # Keys by the parts they digest: a page drawn again (after a post, say) keys
        # the same fragments with the same parts, and a card's digest (its text
        # included) was about a tenth of a thread page. The parts are compared
        # whole, so a kept key is always the digest of exactly those parts.
        # Cleared when full, so at most ``kept_keys`` parts are held.
        self.kept = ClearedWhenFull(kept_keys)

    def key(self, parts) -> str:
        key = self.kept.get(parts)
        if key is None:
            key = self.kept[parts] = f"{self.prefix}:{digest(parts)}"
        return key

    def find(self, keys) -> dict:
        """{key: html} for those of ``keys`` drawn before, here or by another process."""
        found = self.local.get_many(keys)
        missing = [key for key in keys if key not in found]
        if missing:
            shared = _cache().get_many(missing)
            for key, html in shared.items():
                self.local.put(key, html, settings.CARD_CACHE_SECONDS)
            found.update(shared)
        return found

    def keep(self, key, html):
        _cache().set(key, html, settings.CARD_CACHE_SECONDS)
        self.local.put(key, html, settings.CARD_CACHE_SECONDS)

    def get(self, found, key, draw):
        """The fragment ``key`` from ``found`` (what ``find`` gave), else ``draw()``'s,
        kept."""
        html = found.get(key)
        if html is None:
            html = str(draw())
            self.keep(key, html)
        return html


def enabled(request) -> bool:
    """Whether this request's fragments may come from (and go to) the cache: not
    when fragments are off (``CARD_CACHE_SECONDS`` 0), nor for staff, who see what
    others do not (hidden comments and threads)."""
    if not settings.CARD_CACHE_SECONDS or request is None:
        return False
    user = request.user
    return not (user.is_authenticated and (user.is_staff or user.is_superuser))


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]
