"""The name glossary as searches use it: every form of every name editors listed
(fansite.search.models.GlossaryEntry), so that a search for one form is a search
for all of them ("Nam On-jo", "Onjo", "남온조" and "온조" are one search)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from .models import GlossaryEntry
from .terms import Glossary

CACHE_KEY = "search:glossary"
# Each process keeps its copy this long; an edit in the admin shows within it.
LOCAL_SECONDS = 60

_local = []  # [read at, Glossary]


def current() -> Glossary:
    """The glossary, from this process's copy, the cache or the database."""
    if _local and _local[0] > time.monotonic() - LOCAL_SECONDS:
        return _local[1]
    names = cache.get(CACHE_KEY)
    if names is None:
        names = [entry.forms for entry in GlossaryEntry.objects.all()]
        cache.set(CACHE_KEY, names, 24 * 60 * 60)
    glossary = Glossary(names)
    _local[:] = [time.monotonic(), glossary]
    return glossary


def forget():
    cache.delete(CACHE_KEY)
    _local.clear()


def _changed(sender, **kwargs):
    forget()


post_save.connect(_changed, sender=GlossaryEntry, dispatch_uid="search-glossary-saved")
post_delete.connect(_changed, sender=GlossaryEntry, dispatch_uid="search-glossary-deleted")
