"""The reading-progress selector every page carries in its header."""

from django import template

from fansite.spoilers.forms import progress_choices

register = template.Library()


@register.simple_tag
def episode_progress_choices():
    """[(0, "Nothing yet"), (1, "Episode 1"), ...], from the cached episode list:
    {% episode_progress_choices as choices %}."""
    return progress_choices()
