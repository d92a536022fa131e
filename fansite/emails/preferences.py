"""Who gets which notification email: the member's choice per kind, and whether they
may receive email at all.

Reads work without a stored row (the default of the kind, ``DEFAULT_MODES``), and
the fan-out asks for many members at once (:func:`email_modes`,
:func:`receiving_addresses`: one query each, whatever the number of members).
"""

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import EmailMode, EmailPreference, NotificationKind, default_mode


def _kind(kind):
    """``kind`` as a NotificationKind; a ValueError names the kinds there are."""
    try:
        return NotificationKind(kind)
    except ValueError:
        raise ValueError(
            f"Unknown notification kind {kind!r}: use one of {', '.join(NotificationKind.values)}."
        ) from None


def email_mode(member, kind):
    """How ``member`` wants email about ``kind``: an EmailMode."""
    kind = _kind(kind)
    stored = (
        EmailPreference.objects.filter(member_id=member.pk, kind=kind)
        .values_list("mode", flat=True)
        .first()
    )
    return EmailMode(stored) if stored else default_mode(kind)


def email_modes(members, kind):
    """{member pk: EmailMode} for ``kind``, for every member in ``members`` (members
    or their pks), in one query."""
    kind = _kind(kind)
    pks = {getattr(member, "pk", member) for member in members}
    modes = dict.fromkeys(pks, default_mode(kind))
    stored = EmailPreference.objects.filter(member_id__in=pks, kind=kind)
    for member_id, mode in stored.values_list("member_id", "mode"):
        modes[member_id] = EmailMode(mode)
    return modes


def all_email_modes(member):
    """{NotificationKind: EmailMode} for every kind, for the settings page (one query)."""
    modes = {kind: default_mode(kind) for kind in NotificationKind}
    stored = EmailPreference.objects.filter(member_id=member.pk).values_list("kind", "mode")
    for kind, mode in stored:
        modes[NotificationKind(kind)] = EmailMode(mode)
    return modes


@transaction.atomic
def set_email_modes(*, member, modes):
    """Store ``member``'s choices, ``{kind: mode}`` (kinds left out keep theirs)."""
    for kind, mode in modes.items():
        EmailPreference.objects.update_or_create(
            member_id=member.pk, kind=_kind(kind), defaults={"mode": EmailMode(mode)}
        )


def set_email_mode(*, member, kind, mode):
    """Store ``member``'s choice for one kind."""
    set_email_modes(member=member, modes={kind: mode})


# --- Who may receive email ------------------------------------------------------


def _may_be_mailed(member):
    """What the member row itself says: it exists, is active and is not banned. Duck
    typed (``is_banned``), so this app need not know the users app."""
    return (
        member is not None
        and member.pk is not None
        and member.is_active
        and not getattr(member, "is_banned", False)
    )


def receiving_address(member):
    """The verified primary address to send ``member`` notifications to, or None:
    nothing goes to an unverified address, a deactivated, banned or deleted member."""
    if not _may_be_mailed(member):
        return None
    return (
        EmailAddress.objects.filter(user_id=member.pk, primary=True, verified=True)
        .values_list("email", flat=True)
        .first()
    )


def may_receive_email(member):
    return receiving_address(member) is not None


def receiving_addresses(members):
    """{member pk: address} for those of ``members`` who may receive email (one query)."""
    allowed = {member.pk: member for member in members if _may_be_mailed(member)}
    addresses = EmailAddress.objects.filter(user_id__in=allowed, primary=True, verified=True)
    return dict(addresses.values_list("user_id", "email"))
