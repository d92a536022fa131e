"""Reaction counts and a member's own reactions, kept in the cache for the markers
that pages carry (fansite.reactions.markers).

A thread page is cached whole (fansite.web.pagecache); a reaction must not drop
it, or every click on a busy thread would make every reader's page render again.
So the page carries a marker per comment and the counts are filled in after the
cache, from here:

- ``reactions:counts:<comment>`` holds ``(counted at, {kind: n})``. Entries older
  than ``REACTION_COUNTS_SECONDS`` are recounted, all of a page's in one query. A
  member's own reaction drops the comment's entry (``reacted``), so the next page
  counts it afresh; counts lag others' reactions by at most that interval. Each
  process also keeps the counts it read for that long, for visitors' pages
  (``_local_counts``), and members' pages too once the counts are newer than
  the member's own latest reaction.
- ``reactions:mine:<member>`` holds every reaction the member gave and the time
  before which a count may not hold them, ``(changed at, {comment: {kind, …}})``
  (when it was read after a reaction, 0 when they gave none for ``MINE_SECONDS``;
  or ``MANY`` past ``MINE_MAX`` of them: then each page asks the database for
  its own comments). When they react it becomes ``(reacted at, CHANGED)`` for
  ``MINE_SECONDS``, so their own reactions are always right and the next page
  knows that this process's counts may be older than the reaction. One key per
  member rather than one per comment: a member's page asks the cache for one key
  more than a visitor's, not thirty.
- A member whose key is missing has not reacted for ``MINE_SECONDS`` (or has
  never reacted): this process's counts, younger than
  ``REACTION_COUNTS_SECONDS``, already hold all they gave. Their first page
  reads their reactions from the database and uses those counts as a visitor's
  page does, with no second round trip. (Were Redis to evict the ``CHANGED``
  entry early, a count could miss their reaction for up to
  ``REACTION_COUNTS_SECONDS``; their buttons would still be right.)
- ``reactions:kinds`` holds the enabled kinds; saving one in the admin drops it.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from fansite.web import statements
from fansite.web.cache import set_each
from fansite.web.lru import ClearedWhenFull

from .models import Reaction, ReactionKind

KINDS_KEY = "reactions:kinds"
DAY = 24 * 60 * 60

# This process's copy of recent counts: {comment: (counted at, counts)}, used
# while younger than REACTION_COUNTS_SECONDS, so a busy page costs no cache round
# trip for them; for a member only when counted after their own reactions were
# last read (page_state).
_local_counts = ClearedWhenFull(50_000)
_local_kinds = []  # [counted at, kinds]


@dataclass(frozen=True)
class Kind:
    pk: int
    slug: str
    emoji: str
    label: str


def _counts_key(comment_pk):
    return f"reactions:counts:{comment_pk}"


def _mine_key(member_pk):
    return f"reactions:mine:{member_pk}"


# Past this many reactions, a member's own are not kept in the cache (MANY).
MINE_MAX = 2_000
MANY = "many"
# In place of a member's reactions after they react: read them again.
CHANGED = "changed"
# How long a member's own reactions (and CHANGED) are kept. Reacting replaces
# them; this bounds the one race left: the member's other request, reading the
# database just before the reaction committed and storing that just after.
MINE_SECONDS = 300


def enabled_kinds(found=None):
    """The kinds offered, in their order. ``found``: what a ``get_many`` that asked
    for ``KINDS_KEY`` already returned. Each process keeps them for
    REACTION_COUNTS_SECONDS too: an edit in the admin shows within that."""
    if found is None:
        kinds = _fresh_local_kinds(time.time() - settings.REACTION_COUNTS_SECONDS)
        if kinds is not None:
            return kinds
        found = {KINDS_KEY: cache.get(KINDS_KEY)}
    kinds = found.get(KINDS_KEY)
    if kinds is None:
        kinds = [
            Kind(kind.pk, kind.slug, kind.emoji, kind.label)
            for kind in ReactionKind.objects.enabled()
        ]
        cache.set(KINDS_KEY, kinds, DAY)
    _local_kinds[:] = [time.time(), kinds]
    return kinds


def _fresh_local_kinds(fresh_after):
    if _local_kinds and _local_kinds[0] >= fresh_after:
        return _local_kinds[1]
    return None


def _kinds_changed(sender, **kwargs):
    cache.delete(KINDS_KEY)
    _local_kinds.clear()


post_save.connect(_kinds_changed, sender=ReactionKind, dispatch_uid="reactions-kinds")
post_delete.connect(_kinds_changed, sender=ReactionKind, dispatch_uid="reactions-kinds-d")


def forget_local():
    """Drop this process's copies (tests, between two of them)."""
    _local_counts.clear()
    _local_kinds.clear()


def member_keys(member):
    """The cache keys ``page_state`` reads for ``member`` whatever the page."""
    return [_mine_key(member.pk)]


def page_state(member, comment_pks, writes, found=None):
    """``(kinds, counts, given)`` for a page's comments: the enabled kinds,
    ``{comment: {kind: n}}`` and ``{comment: {kind, …}}`` (empty for visitors). One
    cache round trip at most (none when this process's counts are fresh and
    ``found`` holds what the cache held for ``member_keys``, read with the page);
    a query for the counts that are missing or stale and one for the member's
    reactions not in the cache. What was read from the database is left in
    ``writes`` for the cache (fansite.web.markers.writes: stored with the page's
    other writes).

    This process's recent counts serve members too, when they were counted after
    the member's own reactions last changed (``reactions:mine`` says when): a
    count read before the member's latest reaction might not hold it, so those
    few are asked for again."""
    now = time.time()
    fresh_after = now - settings.REACTION_COUNTS_SECONDS
    local, wanted = {}, []
    for pk in comment_pks:
        entry = _local_counts.get(pk)
        if entry is not None and entry[0] >= fresh_after:
            local[pk] = entry
        else:
            wanted.append(pk)
    kinds = _fresh_local_kinds(fresh_after)
    keys = [*([] if kinds is not None else [KINDS_KEY]), *map(_counts_key, wanted)]
    if member is not None and found is None:
        keys.append(_mine_key(member.pk))
    found = {**(found or {}), **(cache.get_many(keys) if keys else {})}
    if kinds is None:
        kinds = enabled_kinds(found)
    given = {}
    if member is not None:
        changed_at, mine = _mine(found.get(_mine_key(member.pk)), member, writes)
        if mine == MANY:
            given = Reaction.objects.given_by(member, comment_pks)
        else:
            given = {pk: mine[pk] for pk in comment_pks if pk in mine}
        older = [pk for pk, entry in local.items() if entry[0] < changed_at]
        if older:
            for pk in older:
                del local[pk]
            found.update(cache.get_many([_counts_key(pk) for pk in older]))
            wanted += older
    counts = {pk: entry[1] for pk, entry in local.items()}
    stale = []
    for pk in wanted:
        entry = found.get(_counts_key(pk))
        if entry is None or entry[0] < fresh_after:
            stale.append(pk)
        else:
            counts[pk] = entry[1]
            _remember(pk, entry)
    if stale:
        counts.update(_recount(stale, writes))
    return kinds, counts, given


def _mine(stored, member, writes):
    """``(changed at, reactions)`` of ``member``: their reactions, and the time
    before which a count may not hold their latest change. From what the cache
    held, else from the database (left in ``writes`` for the cache)."""
    if isinstance(stored, tuple) and len(stored) == 2 and stored[1] != CHANGED:
        return stored
    read_at, mine = _all_given(member)
    # No reaction for MINE_SECONDS: every count this process keeps holds theirs.
    # Otherwise (they just reacted), only counts made after this read surely do.
    changed_at = 0.0 if stored is None and getattr(cache, "available", True) else read_at
    # Kept with the reactions, so that later pages trust the same counts as this
    # one: keeping the time they were read had every page for the next
    # REACTION_COUNTS_SECONDS ask the cache again for counts it already held.
    writes[_mine_key(member.pk)] = ((changed_at, mine), MINE_SECONDS)
    return changed_at, mine


# A member's reactions (one more than MINE_MAX tells there are too many to keep),
# the statement written once: every member's first page reads it.
_given_by = statements.Prepared(
    lambda pk: Reaction.objects.filter(member_id=pk).values_list("comment_id", "kind_id")[
        : MINE_MAX + 1
    ]
)


def _all_given(member):
    """``(read at, reactions)``: every reaction ``member`` gave, ``{comment:
    frozenset(kinds)}``, or MANY, and when they were read."""
    read_at = time.time()
    rows = _given_by.rows(member.pk)
    if len(rows) > MINE_MAX:
        return read_at, MANY
    kinds = {}
    for comment_pk, kind_pk in rows:
        kinds.setdefault(comment_pk, set()).add(kind_pk)
    return read_at, {pk: frozenset(kind_pks) for pk, kind_pks in kinds.items()}


def _remember(pk, entry):
    _local_counts[pk] = entry


def _recount(comment_pks, writes=None):
    counted = Reaction.objects.counts_for(comment_pks)
    fresh = {pk: counted.get(pk, {}) for pk in comment_pks}
    now = time.time()
    stored = {_counts_key(pk): ((now, n), DAY) for pk, n in fresh.items()}
    if writes is None:
        set_each(cache, stored)
    else:
        writes.update(stored)
    for pk, n in fresh.items():
        _remember(pk, (now, n))
    return fresh


def comment_state(member, comment_pk):
    """``(kinds, counts, given)`` of one comment, counted afresh."""
    kinds = enabled_kinds()
    counts = _recount([comment_pk])[comment_pk]
    given = Reaction.objects.given_by(member, [comment_pk]).get(comment_pk, set())
    return kinds, counts, given


def reacted(member, comment_pk):
    """After ``member``'s reaction to ``comment_pk``: forget its counts, and mark
    what the member gave as changed, so the next page that shows it counts them
    afresh (this process's own copy too; other processes' copies were counted
    before the change, so their pages ask the cache again: page_state)."""
    set_each(
        cache,
        {
            _counts_key(comment_pk): (None, 0),  # a lifetime of 0 deletes
            _mine_key(member.pk): ((time.time(), CHANGED), MINE_SECONDS),
        },
    )
    _local_counts.pop(comment_pk, None)
