"""One-click unsubscribe: a signed link in every notification email, and the
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 2369, RFC 8058) that
let a mail program offer its own "Unsubscribe" button.

The token names a member and what they stop: one kind of notification, every kind
they get as a digest (``DIGEST``), or everything (``ALL``). It is signed with the
site's secret and a salt of its own, so it cannot be forged or reused as another
signed value, and it does not expire: a link in an old email must still work. The
signature is the authorisation: whoever holds the email may unsubscribe its
recipient, and nobody else can.
"""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core import signing
from django.db import transaction
from django.urls import reverse

from .models import EmailMode, EmailPreference, NotificationKind
from .preferences import set_email_modes

SALT = "fansite.emails.unsubscribe"
DIGEST = "digest"
ALL = "all"
SCOPES = frozenset([*NotificationKind.values, DIGEST, ALL])


class BadUnsubscribeToken(Exception):
    """The link was altered, cut short or made up."""


def make_token(member, scope):
    if scope not in SCOPES:
        raise ValueError(
            f"Unknown unsubscribe scope {scope!r}: a notification kind, {DIGEST!r} or {ALL!r}."
        )
    # No time in it: the same link every time, and it never expires.
    return signing.Signer(salt=SALT).sign_object([member.pk, str(scope)])


def read_token(token):
    """(member pk, scope) from a token; BadUnsubscribeToken unless it is one we made."""
    try:
        member_id, scope = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise BadUnsubscribeToken(str(error)) from None
    if not isinstance(member_id, int) or not isinstance(scope, str) or scope not in SCOPES:
        raise BadUnsubscribeToken("not an unsubscribe token")
    return member_id, scope


def site_origin():
    """``https://fans.example.org``: SITE_URL, else the sites framework's domain with
    the scheme account email uses (a worker has no request to ask)."""
    if settings.SITE_URL:
        return settings.SITE_URL
    domain = Site.objects.get_current().domain
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{domain}"


def unsubscribe_url(member, scope, site_url=None):
    path = reverse("emails:unsubscribe", kwargs={"token": make_token(member, scope)})
    return (site_url or site_origin()).rstrip("/") + path


def unsubscribe_headers(member, kind, site_url=None):
    """The headers that make a mail program's own "Unsubscribe" button one click: it
    POSTs ``List-Unsubscribe=One-Click`` to the link (RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(member, kind, site_url)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def kinds_stopped(member, scope):
    """The kinds an unsubscribe with ``scope`` turns off for ``member``."""
    if scope == ALL:
        return list(NotificationKind)
    if scope == DIGEST:
        chosen = EmailPreference.objects.filter(member_id=member.pk, mode=EmailMode.DIGEST)
        return [NotificationKind(kind) for kind in chosen.values_list("kind", flat=True)]
    return [NotificationKind(scope)]


@transaction.atomic
def apply_unsubscribe(*, member, scope):
    """Turn off what ``scope`` names; returns the kinds it turned off."""
    kinds = kinds_stopped(member, scope)
    set_email_modes(member=member, modes=dict.fromkeys(kinds, EmailMode.OFF))
    return kinds
