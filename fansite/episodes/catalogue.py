"""The list of episode numbers, which every page's progress selector and every
posting form needs. It changes about once a season, so it is cached and
forgotten whenever an Episode is saved or deleted (see EpisodesConfig.ready)."""

from django.core.cache import cache

from .models import Episode

CACHE_KEY = "episodes:positions"
# Belt and braces: even if a signal were missed, the list refreshes this often.
CACHE_TIMEOUT = 60 * 60


def episode_positions():
    """Running numbers of every episode, in order: [1, 2, ..., 12]."""
    return cache.get_or_set(
        CACHE_KEY,
        lambda: list(Episode.objects.order_by("position").values_list("position", flat=True)),
        CACHE_TIMEOUT,
    )


def forget_episode_positions(**kwargs):
    """Signal receiver: drop the cached list after the catalogue changes."""
    cache.delete(CACHE_KEY)
