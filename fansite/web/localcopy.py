"""A value every process keeps its own copy of for a short while: a list editors
change rarely (the search glossary, the boards) and pages read on every request.

The copy comes from the shared cache, or is built from the database and stored
there. A change deletes the cached value and this process's copy at once; other
processes see it when their copy runs out (``seconds``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

DAY = 24 * 60 * 60
_copies = []


class LocalCopy:
    def __init__(self, key: str, build: Callable[[], object], seconds: float):
        self.key = key
        self.build = build
        self.seconds = seconds
        self._copy = None
        self._read_at = None
        _copies.append(self)

    def get(self):
        if self._read_at is not None and self._read_at > time.monotonic() - self.seconds:
            return self._copy
        value = cache.get(self.key)
        if value is None:
            value = self.build()
            cache.set(self.key, value, DAY)
        self._copy, self._read_at = value, time.monotonic()
        return value

    def forget(self, *args, **kwargs):
        """Drop the cached value and this process's copy (usable as a signal
        receiver)."""
        cache.delete(self.key)
        self.drop_local()

    def drop_local(self):
        self._copy = self._read_at = None


def drop_all_local():
    """Every process copy dropped, the cache left alone (tests: a test rolled
    back sends no signal)."""
    for copy in _copies:
        copy.drop_local()
