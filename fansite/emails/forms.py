from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EmailMode, NotificationKind


class EmailPreferencesForm(forms.Form):
    """One choice per kind of notification: off, at once or in the daily digest."""

    def __init__(self, *args, modes, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=EmailMode.choices,
                initial=modes[kind],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose off, at once or daily digest."),
                    "invalid_choice": _("Choose off, at once or daily digest."),
                },
            )

    def modes(self):
        """{NotificationKind: EmailMode} from a valid form."""
        return {NotificationKind(name): EmailMode(mode) for name, mode in self.cleaned_data.items()}
