from django.shortcuts import get_object_or_404, render

from fansite.ratings.models import Rating
from fansite.ratings.services import ratings_scope
from fansite.spoilers.caching import cache_per_reader
from fansite.threads.models import Thread
from fansite.threads.scopes import episode_threads_scope
from fansite.threads.selectors import listed_threads

from .catalogue import neighbours
from .models import Episode, Season

# How many of the board's threads the episode page lists (the board has the rest).
LATEST_THREADS = 10


def episode_list(request):
    seasons = Season.objects.select_related("series").prefetch_related("episodes__board")
    context = {"seasons": seasons, "averages": Rating.objects.averages()}
    return render(request, "episodes/episode_list.html", context)


# Episode, season and board edits replace "site"; new and edited threads and
# comments on its board their board's scope; ratings of this episode their own.
@cache_per_reader(
    lambda request, number: [
        episode_threads_scope(number),
        ratings_scope(number),
    ]
)
def episode_detail(request, number):
    """One episode: what editors wrote about it (spoiler-free), its neighbours and
    the latest threads on its board, gated like the board itself."""
    episode = get_object_or_404(
        Episode.objects.select_related("season__series", "board"), position=number
    )
    board = getattr(episode, "board", None)
    threads = []
    if board is not None:
        threads = list(
            listed_threads(request.user, Thread.objects.for_board(board))[:LATEST_THREADS]
        )
    previous, following = neighbours(episode.position)
    context = {
        "episode": episode,
        "board": board,
        "threads": threads,
        "previous": previous,
        "next": following,
        "ratings": Rating.objects.summary(episode),
    }
    return render(request, "episodes/episode_detail.html", context)
