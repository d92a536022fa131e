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


def resolve_spoiler_level(target, chosen):
    """The level of a new post on ``target`` (a board, thread or article): authors
    may raise it above ``target``'s own level, never lower it."""
    default = target.spoiler_level
    if chosen is None:
        return default
    if default is None:
        return chosen
    return max(default, chosen)


def gate_label(item):
    """What stands in for a gated item: "Spoiler for episode 9"."""
    return gettext("Spoiler for episode %(number)s") % {"number": item.spoiler_level}
