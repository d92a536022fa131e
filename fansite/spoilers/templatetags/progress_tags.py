"""The reading-progress selector every page carries in its header."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from fansite.episodes.catalogue import episode_titles
from fansite.episodes.models import own_title
from fansite.spoilers.forms import progress_choices
from fansite.web.lru import ClearedWhenFull

register = template.Library()


@register.simple_tag
def progress_options(progress):
    """The selector's ``<option>``s with ``progress`` selected: every page has them,
    so they are built once per episode list, language and progress."""
    return _options(tuple(episode_titles()), get_language(), progress)


@lru_cache(maxsize=256)
def _options(titles, language, progress):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if value == progress else "", label)
            for value, label in progress_choices()
        ),
    )


@register.simple_tag
def first_visit_choices():
    """The episodes "How far have you watched?" offers, from the cached episode list:
    ``{"episodes": [(1, "Title or empty"), ...], "last": 12}``. ``last`` is what
    "I've finished season 1" saves (the catalogue holds season 1 alone)."""
    episodes = [(position, own_title(position, title)) for position, title in episode_titles()]
    return {"episodes": episodes, "last": episodes[-1][0] if episodes else 0}


_drawn_choices = ClearedWhenFull(64)  # a few languages and prefixes; titles change rarely


@register.simple_tag
def drawn_progress_choices(prefix):
    """spoilers/_progress_choices.html for the current episode list, drawn once per
    language, ``prefix`` and list in each process: it is on every page a visitor
    opens until they answer, and the same each time."""
    choices = first_visit_choices()
    key = (get_language(), prefix, repr(choices))
    html = _drawn_choices.get(key)
    if html is None:
        html = _drawn_choices[key] = render_to_string(
            "spoilers/_progress_choices.html", {"choices": choices, "prefix": prefix}
        )
    return mark_safe(html)


@register.simple_tag
def episode_list_key():
    """The episode list the progress forms offer, as a value for {% drawn %}: a part
    holding those forms is drawn again when an editor changes an episode."""
    return tuple(episode_titles())
