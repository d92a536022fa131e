from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HIGHEST, LOWEST


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your score"),
        choices=[(score, str(score)) for score in range(HIGHEST, LOWEST - 1, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 10.")},
    )
