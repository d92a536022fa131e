"""The list of episodes, which every page's progress selector and every posting form
needs: each episode's running number and title. It changes about once a season, so it
is cached and forgotten whenever an Episode is saved or deleted (see
EpisodesConfig.ready)."""

from django.utils.translation import gettext as _

from fansite.web.localcopy import LocalCopy

from .models import Episode, own_title

# (position, title) pairs. The key changed when titles joined the positions, so a
# server still running the old code never reads a list it does not understand.
CACHE_KEY = "episodes:catalogue"
# Each process keeps its own copy this long (every page reads it): an editor's
# change shows in the other processes within it.
LOCAL_SECONDS = 60

_titles = LocalCopy(
    CACHE_KEY,
    lambda: list(Episode.objects.order_by("position").values_list("position", "title")),
    LOCAL_SECONDS,
)


def episode_titles():
    """Every episode's running number and title, in order: [(1, "Episode 1"), ...]."""
    return _titles.get()


def episode_positions():
    """Running numbers of every episode, in order: [1, 2, ..., 12]."""
    return [position for position, _title in episode_titles()]


def forget_episode_positions(**kwargs):
    """Signal receiver: drop the cached list after the catalogue changes."""
    _titles.forget()


def episode_name(position, title):
    """ "Episode 7 — The Rooftop", or "Episode 7" while the episode has no title of
    its own."""
    title = own_title(position, title)
    if not title:
        return _("Episode %(number)s") % {"number": position}
    return _("Episode %(number)s — %(title)s") % {"number": position, "title": title}


def neighbours(position):
    """The episodes before and after ``position``: ``(previous, next)``, each a
    (position, name) pair (see episode_name), or None at either end."""
    named = [(number, episode_name(number, title)) for number, title in episode_titles()]
    before = [pair for pair in named if pair[0] < position]
    after = [pair for pair in named if pair[0] > position]
    return (before[-1] if before else None, after[0] if after else None)
