"""The "Top" order of a thread's comments, with pages that never skip or repeat one.

Scores move with every reaction (fansite.reactions.scoring), so paging through a
live ``ORDER BY score`` would show a comment twice, or never, when it climbs past
a page boundary between two requests. Instead the order is a *snapshot*: the
thread's top-level comment ids, worked out in one query and kept in the cache
under a token. The thread's first Top page names its token in every page link
(``?sort=top&at=<token>``), so all the pages of one visit slice the same list:
each comment is on exactly one of them.

The current token is the generation of the thread's "top" page-cache scope
(fansite.web.pagecache): it lasts ``TOP_SNAPSHOT_SECONDS`` from the snapshot, or
until a comment on the thread is posted, edited, hidden or removed. Then the next
reader gets a new snapshot and new pages; readers midway through the old one keep
it (snapshots are kept a day). A token older than that falls back to the current
snapshot, and the page says so.

The opening post comes first, then visible comments by score (ties: newest
first), then removed and hidden ones, which show only a placeholder.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from fansite.web import pagecache

from .models import Comment

TOP = "top"
AT_PARAM = "at"
SNAPSHOT_SECONDS_KEPT = 24 * 60 * 60


def top_scope(thread_pk) -> str:
    return f"top:{thread_pk}"


@dataclass(frozen=True)
class Snapshot:
    token: str
    pks: array
    # The token asked for was gone: this is the current order instead.
    moved_on: bool = False


def _key(thread_pk, token):
    return f"topsnap:{thread_pk}:{token}"


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _order(thread):
    rows = (
        Comment.objects.filter(thread=thread)
        .top_level()
        .order_by("-top_score", "-pk")
        .values_list("pk", "is_removed", "is_hidden")
    )
    opening, shown, placeholders = None, [], []
    for pk, is_removed, is_hidden in rows:
        if opening is None or pk < opening:
            opening = pk
        (placeholders if is_removed or is_hidden else shown).append(pk)
    ordered = [opening] if opening is not None else []
    ordered += [pk for pk in shown if pk != opening]
    ordered += [pk for pk in placeholders if pk != opening]
    # Four bytes a comment: a 10,000-comment thread's snapshot is 40 KB.
    return array("L", ordered)


def snapshot(thread, token=None) -> Snapshot:
    """The snapshot named ``token`` or, when there is none (or it is gone), the
    current one, taken now if need be (one query)."""
    cache = _cache()
    if token:
        pks = cache.get(_key(thread.pk, token))
        if pks is not None:
            return Snapshot(token, pks)
    scope = top_scope(thread.pk)
    current = pagecache.generation(scope)
    pks = cache.get(_key(thread.pk, current))
    if pks is None:
        pks = _order(thread)
        cache.set(_key(thread.pk, current), pks, SNAPSHOT_SECONDS_KEPT)
        # The order is worked out again once this token expires.
        pagecache.expire(scope, settings.TOP_SNAPSHOT_SECONDS)
    return Snapshot(current, pks, moved_on=bool(token) and token != current)


def position(thread, top_level_pk):
    """``(index, token)`` of a top-level comment in the current snapshot, or None
    when it is not in it (posted since: it will be in the next)."""
    snap = snapshot(thread)
    try:
        return snap.pks.index(top_level_pk), snap.token
    except ValueError:
        return None
