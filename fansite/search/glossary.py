"""The name glossary as searches use it: every form of every name editors listed
(fansite.search.models.GlossaryEntry), so that a search for one form is a search
for all of them ("Nam On-jo", "Onjo", "남온조" and "온조" are one search)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from fansite.web.localcopy import LocalCopy

from .models import GlossaryEntry
from .terms import Glossary

# Each process keeps its copy this long; an edit in the admin shows within it.
LOCAL_SECONDS = 60

_names = LocalCopy(
    "search:glossary",
    lambda: [entry.forms for entry in GlossaryEntry.objects.all()],
    LOCAL_SECONDS,
)
_built = []  # [names, their Glossary]


def current() -> Glossary:
    """The glossary, from this process's copy, the cache or the database."""
    names = _names.get()
    if not _built or _built[0] is not names:
        _built[:] = [names, Glossary(names)]
    return _built[1]


def forget():
    _names.forget()
    _built.clear()


def _changed(sender, **kwargs):
    forget()


post_save.connect(_changed, sender=GlossaryEntry, dispatch_uid="search-glossary-saved")
post_delete.connect(_changed, sender=GlossaryEntry, dispatch_uid="search-glossary-deleted")
