import zoneinfo
from functools import cache

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fansite.spoilers.forms import progress_field
from fansite.web.text import MultilineField, SingleLineField

from .avatars import ACCEPTED_FORMATS, prepare_avatar
from .models import User
from .validators import is_reserved_username

# Bidirectional overrides and isolates can make a name read backwards and
# spill into the text around it; nobody needs them in a display name.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@cache
def time_zone_choices():
    """Every IANA zone this server knows, after the "browser's zone" choice."""
    zones = sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")
    return [("", _("Automatic: your browser's time zone (UTC without JavaScript)"))] + [
        (name, name.replace("_", " ")) for name in zones
    ]


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=time_zone_choices,
            label=_("Time zone"),
            required=False,
            help_text=_(
                "Times on the site are shown in this zone, such as Asia/Seoul. Only you see it."
            ),
            error_messages={
                "invalid_choice": _(
                    "“%(value)s” is not a time zone we know. Pick one from the list, "
                    "such as Asia/Seoul or Europe/London."
                )
            },
            **kwargs,
        )


class ProfileForm(forms.Form):
    """A member's own profile: name, bio and picture.

    A plain form rather than a ModelForm so that a rejected submission never
    touches ``request.user``, which the page header is rendered from.
    """

    # Controls are removed and a blank-looking name is no name: the username shows.
    display_name = User._meta.get_field("display_name").formfield(form_class=SingleLineField)
    bio = User._meta.get_field("bio").formfield(
        form_class=MultilineField, widget=forms.Textarea(attrs={"rows": 5})
    )
    avatar = forms.FileField(
        label=_("Picture"),
        required=False,
        help_text=_(
            "A JPEG, PNG, WebP or GIF image. It is cropped to a square from the centre; "
            "details such as the location it was taken are removed."
        ),
        widget=forms.FileInput(
            attrs={"accept": ",".join(f"image/{name.lower()}" for name in ACCEPTED_FORMATS)}
        ),
    )
    remove_avatar = forms.BooleanField(
        label=_("Remove my picture and use my initials instead"), required=False
    )
    # Optional so that a submission without it (an older form) keeps the progress.
    watched_up_to = progress_field(required=False, empty_value=None)
    # The settings page preselects the browser's zone while this is empty
    # (static/js/local-time.js): saving the form then keeps it.
    time_zone = TimeZoneField(
        widget=forms.Select(attrs={"data-browser-time-zone": "", "autocomplete": "off"})
    )

    def __init__(self, *args, member, **kwargs):
        self.member = member
        kwargs.setdefault(
            "initial",
            {
                "display_name": member.display_name,
                "bio": member.bio,
                "watched_up_to": member.watched_up_to,
                "time_zone": member.time_zone,
            },
        )
        super().__init__(*args, **kwargs)
        if not member.has_avatar:
            del self.fields["remove_avatar"]

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        if any(char in BIDI_CONTROLS for char in name):
            raise ValidationError(
                _("Remove the control characters from your display name."),
                code="control_characters",
            )
        # "Admin" or "Moderator" next to a post would look like the site speaking.
        if is_reserved_username(name) and not self.member.is_staff:
            raise ValidationError(
                _("That name is reserved for the site and its staff. Please choose another."),
                code="reserved",
            )
        return name

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        # Checks and renders the picture now, so a bad upload is a form error
        # like any other and nothing has been stored yet.
        return prepare_avatar(upload)


class LoginForm(AllauthLoginForm):
    """allauth's login form, with a label that says what it accepts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.member.check_password(password):
            raise ValidationError(_("That is not your password."), code="wrong_password")
        return password
