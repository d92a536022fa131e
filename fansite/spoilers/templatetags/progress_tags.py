"""The reading-progress selector every page carries in its header."""

from django import template

from fansite.episodes.catalogue import episode_titles
from fansite.episodes.models import own_title
from fansite.spoilers.forms import progress_choices

register = template.Library()


@register.simple_tag
def episode_progress_choices():
    """[(0, "Nothing yet"), (1, "Episode 1"), ...], from the cached episode list:
    {% episode_progress_choices as choices %}."""
    return progress_choices()


@register.simple_tag
def first_visit_choices():
    """The episodes "How far have you watched?" offers, from the cached episode list:
    ``{"episodes": [(1, "Title or empty"), ...], "last": 12}``. ``last`` is what
    "I've finished season 1" saves (the catalogue holds season 1 alone)."""
    episodes = [(position, own_title(position, title)) for position, title in episode_titles()]
    return {"episodes": episodes, "last": episodes[-1][0] if episodes else 0}
