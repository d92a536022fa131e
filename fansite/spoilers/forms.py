"""How far the reader has watched: the choices every page's selector offers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fansite.episodes.catalogue import episode_name, episode_positions, episode_titles


def progress_choices():
    """Choices for "I've watched up to": nothing yet, then each episode, with its
    title where editors set one (episode titles are not spoilers)."""
    return [
        (0, _("Nothing yet")),
        *((position, episode_name(position, title)) for position, title in episode_titles()),
    ]


def progress_field(**kwargs):
    return forms.TypedChoiceField(
        label=_("I've watched up to"),
        coerce=int,
        choices=progress_choices,
        help_text=_(
            "Anything that spoils a later episode is left out of the pages you read, "
            "until you ask to see it."
        ),
        **kwargs,
    )


class ProgressForm(forms.Form):
    """How far the reader has watched (0: nothing yet)."""

    watched_up_to = progress_field(
        error_messages={
            "invalid_choice": _("Choose “Nothing yet” or one of the episodes in the list."),
            "required": _("Choose how far you have watched."),
        }
    )


class WatchedEpisodeForm(forms.Form):
    """The episode of an "I've watched episode N" button (episode pages and boards)."""

    episode = forms.TypedChoiceField(
        coerce=int,
        choices=lambda: [(position, position) for position in episode_positions()],
        error_messages={
            "invalid_choice": _("There is no such episode."),
            "required": _("Say which episode you have watched."),
        },
    )
