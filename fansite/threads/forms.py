from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fansite.comments.models import BODY_MAX_LENGTH
from fansite.episodes.catalogue import episode_positions

from .models import Thread


def body_help():
    """The opening post's help text, as HTML (the field partial renders it unescaped)."""
    return format_html(
        gettext(
            "Markdown. Hide a spoiler inside a sentence with {inline}, or a whole passage "
            "between a line {block_open} and a line {block_close}."
        ),
        inline=format_html("<code>{}</code>", ">!like this!<"),
        block_open=format_html("<code>{}</code>", ":::spoiler"),
        block_close=format_html("<code>{}</code>", ":::"),
    )


class ThreadForm(forms.Form):
    """A new thread: its title, its opening post and how far it spoils."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Thread._meta.get_field("title").max_length,
        help_text=_("Readers see the title before they open the thread."),
    )
    body = forms.CharField(
        label=_("Opening post"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        strip=False,
    )
    spoils_episode = forms.TypedChoiceField(
        label=_("Spoils up to episode"),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, board, **kwargs):
        super().__init__(*args, **kwargs)
        self.board = board
        self.fields["body"].help_text = body_help()
        field = self.fields["spoils_episode"]
        level = board.spoiler_level
        episodes = episode_positions()
        if level is None:
            field.choices = [("", _("No spoilers")), *((n, str(n)) for n in episodes)]
            field.help_text = _(
                "The last episode your title and post give away. Readers who have not "
                "watched it see a labelled placeholder instead."
            )
        else:
            # Authors may raise the level above the board's episode, never lower it.
            field.choices = [(n, str(n)) for n in episodes if n >= level]
            field.required = True
            field.initial = level
            field.help_text = _(
                "This board allows spoilers up to episode %(number)s. Choose a later "
                "episode if your title or post gives away more."
            ) % {"number": level}

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write the opening post."), code="required")
        return body
