from django import forms
from django.utils.translation import gettext_lazy as _

from fansite.web.text import MultilineField

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
