"""Settings → Email: which notifications a member gets by email, and how."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fansite.emails.forms import EmailPreferencesForm
from fansite.emails.preferences import all_email_modes, receiving_address, set_email_modes


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request):
    member = request.user
    form = EmailPreferencesForm(request.POST or None, modes=all_email_modes(member))
    if request.method == "POST" and form.is_valid():
        set_email_modes(member=member, modes=form.modes())
        messages.success(request, _("Your email settings have been saved."))
        return redirect("users:email_settings")
    return render(
        request,
        "users/email_settings.html",
        {"form": form, "member": member, "address": receiving_address(member)},
        status=400 if form.errors else 200,
    )
