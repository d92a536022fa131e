"""A process's own least-recently-used store, bounded in bytes.

Used in front of the shared cache where a value is read far more often than it
changes (whole pages, comment cards): a hit here spares moving the value's
bytes out of Redis. What may be served from it is the caller's business (pages
check their generations first; cards are keyed by their whole content).
"""

import threading
import time
from collections import OrderedDict


class ClearedWhenFull(dict):
    """A dict of at most ``size`` entries, emptied when a new key would pass that:
    for small values worked out from their key alone (drawn markup, digests,
    statements' text), never stale, where ``LocalLRU``'s weights, lifetimes and
    lock would cost more than they bound. Only ``d[key] = value`` counts against
    the size (not ``setdefault`` or ``update``)."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value):
        if len(self) >= self.size and key not in self:
            self.clear()
        super().__setitem__(key, value)


class LocalLRU:
    """Up to ``max_bytes`` of values (each weighing ``weight(value)``), the least
    recently used dropped first, each kept at most the seconds it was put with."""

    def __init__(self, max_bytes, weight=len):
        self.max_bytes = max_bytes
        self.weight = weight
        self.size = 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            expires, value, _weight = entry
            if expires < time.monotonic():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return value

    def get_many(self, keys):
        """``{key: value}`` for the keys held."""
        found = {}
        now = time.monotonic()
        with self.lock:
            for key in keys:
                entry = self.entries.get(key)
                if entry is None:
                    continue
                if entry[0] < now:
                    self._drop(key)
                    continue
                self.entries.move_to_end(key)
                found[key] = entry[1]
        return found

    def put(self, key, value, seconds):
        weight = self.weight(value)
        if weight > self.max_bytes:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic() + seconds, value, weight)
            self.size += weight
            while self.size > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def _drop(self, key):
        self.size -= self.entries.pop(key)[2]

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0
