from django import forms
from django.utils.translation import gettext_lazy as _

from fansite.comments.forms import episode_choices
from fansite.web.text import MultilineField, SingleLineField

from .models import Report

DETAILS_MAX_LENGTH = Report._meta.get_field("details").max_length


class ReportForm(forms.Form):
    """A member's report: why the item breaks the rules, and anything moderators
    should know. "Other" needs details, since it says nothing by itself."""

    reason = forms.ChoiceField(
        label=_("What is wrong with it?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason for your report.")},
    )
    details = MultilineField(
        label=_("Details"),
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Anything that helps moderators, such as which episode a spoiler gives away. "
            "Required when you choose “Other”."
        ),
    )

    def clean(self):
        cleaned_data = super().clean()
        if (
            cleaned_data.get("reason") == Report.Reason.OTHER
            and not cleaned_data.get("details", "").strip()
        ):
            self.add_error(
                "details",
                forms.ValidationError(
                    _("You chose “Other”: tell moderators what is wrong in a few words."),
                    code="required",
                ),
            )
        return cleaned_data


class GuardRaiseForm(forms.Form):
    """A spoiler guard raises a thread's or comment's spoiler episode: the menu offers
    only the episodes after its current level."""

    spoils_episode = forms.TypedChoiceField(
        label=_("Spoils up to"),
        coerce=int,
        error_messages={
            "required": _("Choose the episode it spoils up to."),
            "invalid_choice": _("Choose an episode after the one it spoils up to now."),
        },
    )
    reason = SingleLineField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_(
            "Optional, shown to the author and to moderators whatever episode they have "
            "watched: say what it spoils without giving it away (“names who is infected”)."
        ),
    )

    def __init__(self, *args, level, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spoils_episode"].choices = episode_choices(above=level or 0)
