"""Forms behind the admin's moderation actions and the report queue buttons."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.admin import ActionLocation, helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fansite.episodes.catalogue import episode_positions
from fansite.threads.models import Board

#: Moderation actions are offered in the list and on an item's own admin page.
ON_LIST_AND_FORM = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def episode_choices(*, blank_label=None):
    choices = [(position, _("Episode %(n)s") % {"n": position}) for position in episode_positions()]
    if blank_label is not None:
        choices.insert(0, ("", blank_label))
    return choices


def _reason_field(*, required):
    return forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=required,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Recorded in the moderation log.")
        if not required
        else _("Recorded in the moderation log; members see it when it concerns them."),
    )


class ReasonForm(forms.Form):
    reason = _reason_field(required=True)


class OptionalReasonForm(forms.Form):
    reason = _reason_field(required=False)


class MoveThreadForm(forms.Form):
    board = forms.ModelChoiceField(
        label=_("Move to board"),
        queryset=Board.objects.order_by("kind", "episode", "position", "title"),
        help_text=_(
            "Moving to an episode board raises the spoiler episode of the thread and its "
            "comments to at least that episode."
        ),
    )
    reason = _reason_field(required=False)


class RespoilForm(forms.Form):
    episode = forms.TypedChoiceField(
        label=_("Spoils up to"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = _reason_field(required=False)
    reason.help_text = _(
        "Recorded in the moderation log and shown to the authors whatever they have "
        "watched: keep it spoiler-free."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].choices = episode_choices(blank_label=_("No spoilers"))


def start_of_day(date):
    """Midnight at the start of ``date`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


class SuspendForm(forms.Form):
    until = forms.DateField(
        label=_("Suspended until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The member can post again from the start of this day."),
    )
    reason = _reason_field(required=True)

    def clean_until(self):
        until = self.cleaned_data["until"]
        if start_of_day(until) <= timezone.now():
            raise forms.ValidationError(_("Choose a day in the future."))
        return until


class QueueActionForm(forms.Form):
    """One button of an item in the report queue."""

    HIDE = "hide"
    RESPOIL = "respoil"
    DISMISS = "dismiss"
    WARN = "warn"
    BAN = "ban"

    action = forms.ChoiceField(
        choices=[
            (HIDE, _("Hide")),
            (RESPOIL, _("Mark as spoiler")),
            (DISMISS, _("Dismiss")),
            (WARN, _("Warn author")),
            (BAN, _("Ban author")),
        ]
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    episode = forms.TypedChoiceField(
        label=_("Episode"), coerce=int, empty_value=None, required=False
    )
    until = forms.DateField(
        label=_("Suspend until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to ban permanently."),
    )
    also_hide = forms.BooleanField(label=_("Also hide the reported content"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].choices = episode_choices(blank_label="")

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in (self.WARN, self.BAN) and not data.get("reason", "").strip():
            self.add_error("reason", _("Give a reason: the member will see it."))
        if action == self.RESPOIL and data.get("episode") is None:
            self.add_error("episode", _("Choose the episode it spoils."))
        until = data.get("until")
        if action == self.BAN and until and start_of_day(until) <= timezone.now():
            self.add_error("until", _("Choose a day in the future."))
        return data


# --- Intermediate pages for admin actions ----------------------------------------------------

# Names the action page must not carry over from the action's POST: the form's
# own fields, the selection (re-sent explicitly) and the CSRF token.
_NOT_CARRIED = {"csrfmiddlewaretoken", "apply", "index", "post"}


def _carried_fields(request, form):
    skip = {*_NOT_CARRIED, helpers.ACTION_CHECKBOX_NAME, *form.fields}
    try:
        index = int(request.POST.get("index", 0))
    except ValueError:
        index = 0
    carried = []
    for name in request.POST:
        if name in skip:
            continue
        values = request.POST.getlist(name)
        if name.endswith("action"):
            # The changelist has an action menu at the top and the bottom;
            # keep only the one whose button was pressed.
            values = [values[index] if index < len(values) else values[-1]]
        carried.extend((name, value) for value in values)
    return carried


def action_form_response(
    modeladmin, request, queryset, *, form_class, title, submit_label, perform, description=""
):
    """Run a bulk admin action that needs input (a reason, a board, a date…).

    The first POST (from the action menu) shows ``form_class`` on an
    intermediate page; its submit comes back with ``apply`` and, when valid,
    ``perform(cleaned_data)`` runs and None is returned so the admin redirects
    back to where the action started (changelist or change form).
    """
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            perform(form.cleaned_data)
            return None
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": title,
        "description": description,
        "submit_label": submit_label,
        "objects": list(queryset),
        "form": form,
        "carried": _carried_fields(request, form),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "post_url": request.get_full_path(),
        "back_url": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/moderation/action_form.html", context)


def run_for_each(modeladmin, request, items, act, *, done_message):
    """Apply ``act(item)`` to each item, reporting refusals item by item.

    ``act`` returns whether it changed anything; ``done_message`` is an
    ``ngettext_lazy(singular, plural, "count")`` message, given the number of
    items that changed.
    """
    changed = 0
    for item in items:
        try:
            changed += bool(act(item))
        except (PermissionDenied, ValidationError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{item}: {text}", messages.ERROR)
    modeladmin.message_user(request, done_message % {"count": changed}, messages.SUCCESS)
    return changed
