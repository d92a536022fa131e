"""The name glossary as searches use it: every form of every name editors listed
(fansite.search.models.GlossaryEntry), so that a search for one form is a search
for all of them ("Nam On-jo", "Onjo", "남온조" and "온조" are one search)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from .models import GlossaryEntry
from .terms import name_key, without_particle

CACHE_KEY = "search:glossary"
# Each process keeps its copy this long; an edit in the admin shows within it.
LOCAL_SECONDS = 60
# The longest name, in words, looked for in a query ("Nam Ohn Jo": three).
MAX_WORDS = 4

_local = []  # [read at, Glossary]


class Glossary:
    def __init__(self, names: list[list[str]]):
        """``names``: the forms of each entry."""
        self.forms = {}
        for forms in names:
            for form in forms:
                key = name_key(form.split())
                if key:
                    self.forms.setdefault(key, forms)

    def longest(self, words, at):
        """The longest name starting at ``words[at]``: ``(index after it, its
        forms)``, or None. A Korean name may carry a particle ("온조가")."""
        for count in range(min(MAX_WORDS, len(words) - at), 0, -1):
            forms = self.forms.get(name_key(words[at : at + count]))
            if forms:
                return at + count, forms
        stem = without_particle(words[at])
        if stem and stem in self.forms:
            return at + 1, self.forms[stem]
        return None


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
