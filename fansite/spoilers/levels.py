"""Spoiler levels: how far a thread, comment or article spoils.

A level is the running number of the last episode an item gives away
(``Episode.position``), or None when it spoils nothing. Items expose it as
``spoiler_level``; a Reader compares it with how far they have watched.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fansite.episodes.models import Episode


def spoiler_level_field(**kwargs):
    """The "spoils up to" field of threads and comments.

    It points at Episode.position, so ``<obj>.spoils_episode_id`` *is* the
    episode number that spoiler gating compares, with no join.
    """
    return models.ForeignKey(
        Episode,
        on_delete=models.PROTECT,
        to_field="position",
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("spoils up to"),
        **kwargs,
    )


# An author's explicit "spoils nothing", as opposed to None: they did not say.
NO_SPOILERS = 0


def resolve_spoiler_level(target, chosen, *, fallback=None, floor=None):
    """The level of a post on ``target`` (a board, thread or article), new or edited.

    ``chosen`` is the author's choice: an episode, ``NO_SPOILERS``, or None when they
    did not say. Not saying means ``target``'s own level or, where ``target`` has none
    (a board without an episode), ``fallback`` (how far the author has watched).
    Authors may raise the level above ``target``'s, never lower it; nor below
    ``floor``, the highest level of what the post quotes.
    """
    if chosen is None and target.spoiler_level is None:
        chosen = fallback
    # NO_SPOILERS (0) and None both spoil nothing, so neither counts.
    return max((level for level in (target.spoiler_level, floor, chosen) if level), default=None)


def gate_label(item):
    """What stands in for a gated item: "Spoiler for episode 9"."""
    return gettext("Spoiler for episode %(number)s") % {"number": item.spoiler_level}
