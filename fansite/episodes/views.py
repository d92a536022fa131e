from django.shortcuts import render

from .models import Season


def episode_list(request):
    seasons = Season.objects.select_related("series").prefetch_related("episodes__board")
    return render(request, "episodes/episode_list.html", {"seasons": seasons})
