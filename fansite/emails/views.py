from http import HTTPStatus

from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import NotificationKind
from .unsubscribe import ALL, DIGEST, BadUnsubscribeToken, apply_unsubscribe, read_token


def _describe(scope):
    if scope == ALL:
        return _("all notification emails")
    if scope == DIGEST:
        return _("the daily digest")
    return _("emails about “%(kind)s”") % {"kind": NotificationKind(scope).label}


# No CSRF token: this is the target of the one-click unsubscribe of RFC 8058, which a
# mail program POSTs ("List-Unsubscribe=One-Click") with no cookie and no page before
# it. The signed token in the address is the authorisation instead: it names the
# member and what they stop, only the site can make one, and the worst a forged
# cross-site POST could do with a token it somehow holds is turn emails off.
# A GET never changes anything (link scanners open every link in a message): it
# shows the button that POSTs here.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        member_id, scope = read_token(token)
    except BadUnsubscribeToken:
        return render(request, "emails/unsubscribe_invalid.html", status=HTTPStatus.BAD_REQUEST)
    member = get_user_model().objects.filter(pk=member_id).first()
    if member is None:
        # A deleted account: nothing is sent to it any more anyway.
        return render(
            request,
            "emails/unsubscribe_invalid.html",
            {"account_gone": True},
            status=HTTPStatus.NOT_FOUND,
        )
    context = {"member": member, "what": _describe(scope), "token": token}
    if request.method == "POST":
        apply_unsubscribe(member=member, scope=scope)
        return render(request, "emails/unsubscribe_done.html", context)
    return render(request, "emails/unsubscribe_confirm.html", context)
