"""The list of episodes, which every page's progress selector and every posting form
needs: each episode's running number and title. It changes about once a season, so it
is cached and forgotten whenever an Episode is saved or deleted (see
EpisodesConfig.ready)."""

from django.core.cache import cache

from .models import Episode

# (position, title) pairs. The key changed when titles joined the positions, so a
# server still running the old code never reads a list it does not understand.
CACHE_KEY = "episodes:catalogue"
# Belt and braces: even if a signal were missed, the list refreshes this often.
CACHE_TIMEOUT = 60 * 60


def episode_titles():
    """Every episode's running number and title, in order: [(1, "Episode 1"), ...]."""
    return cache.get_or_set(
        CACHE_KEY,
        lambda: list(Episode.objects.order_by("position").values_list("position", "title")),
        CACHE_TIMEOUT,
    )


def episode_positions():
    """Running numbers of every episode, in order: [1, 2, ..., 12]."""
    return [position for position, _title in episode_titles()]


def forget_episode_positions(**kwargs):
    """Signal receiver: drop the cached list after the catalogue changes."""
    cache.delete(CACHE_KEY)


def neighbours(position):
    """The episodes before and after ``position``, as (position, title) pairs or
    None at either end of the catalogue: ``(previous, next)``."""
    titles = episode_titles()
    before = [pair for pair in titles if pair[0] < position]
    after = [pair for pair in titles if pair[0] > position]
    return (before[-1] if before else None, after[0] if after else None)
