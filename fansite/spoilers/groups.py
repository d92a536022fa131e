"""Lists that are mostly gates: many gated rows shown as one entry.

A newcomer who has watched nothing would otherwise see a list of identical rows,
"Spoiler for episode 9 · Show", ten times over. ``group_gates`` folds them into
one :class:`GateGroup` ("14 discussions spoil episodes you haven't watched
(episodes 4-12)"), which the template shows as a disclosure listing each gate.

The rule, for one page of a list:

- gated rows are those the reader's ``hides`` (a row the reader revealed is not);
- when at least ``AT_LEAST`` rows are gated and they are at least half of the
  list, all of them become one group, where the first of them was;
- otherwise each run of ``AT_LEAST`` or more consecutive gated rows becomes a
  group in its place, and shorter runs stay rows.

It decides on the rows already loaded, so it adds no queries, and a group holds
the items themselves: the template shows only their labels, never a title.
"""

from __future__ import annotations

from dataclasses import dataclass

# Fewer gated rows than this are shown one by one: a group of two saves nothing.
AT_LEAST = 3


@dataclass(frozen=True)
class GateGroup:
    """Consecutive (or all) gated rows of a list, shown as one entry."""

    items: tuple

    # Rows are model instances; templates tell a group from a row by this.
    is_gate_group = True

    def __len__(self) -> int:
        return len(self.items)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def first_level(self) -> int:
        return min(item.spoiler_level for item in self.items)

    @property
    def last_level(self) -> int:
        return max(item.spoiler_level for item in self.items)

    @property
    def anchor(self) -> str:
        """An id for the entry: the first item's reveal key ("gated-t12")."""
        return f"gated-{self.items[0].reveal_key}"

    def drawn_key(self, with_boards) -> tuple:
        """Everything of its items the entry shows (each gate's key, episode and reply
        count, and with ``with_boards`` its board's title): with the page's own values,
        the key under which it is drawn once ({% drawn %})."""
        return tuple(
            (
                item.reveal_key,
                item.spoiler_level,
                getattr(item, "reply_count", None),
                item.board.title if with_boards else None,
            )
            for item in self.items
        )


def group_gates(items, reader, *, at_least: int = AT_LEAST) -> list:
    """``items`` with their gated rows grouped (see the module's rule): a list of
    items and :class:`GateGroup` entries, in the list's order."""
    items = list(items)
    gated = [reader.hides(item) for item in items]
    total = sum(gated)
    if total < at_least:
        return items
    if total * 2 >= len(items):
        group = GateGroup(tuple(item for item, hidden in zip(items, gated, strict=True) if hidden))
        first = gated.index(True)
        shown = [item for item, hidden in zip(items, gated, strict=True) if not hidden]
        before = sum(1 for hidden in gated[:first] if not hidden)
        return [*shown[:before], group, *shown[before:]]
    entries, run = [], []
    for item, hidden in zip(items, gated, strict=True):
        if hidden:
            run.append(item)
            continue
        entries.extend(_folded(run, at_least))
        run = []
        entries.append(item)
    entries.extend(_folded(run, at_least))
    return entries


def _folded(run, at_least):
    return [GateGroup(tuple(run))] if len(run) >= at_least else run
