"""The daily digest: one email a day per member gathering the notifications they
chose to get that way (Settings → Email, "Daily digest").

This app does not know what a notification is. Apps that do register a *source*::

    @register_digest_source
    def notifications_digest(*, member, kinds, since, until):
        ...  # (subject, text, html) about ``kinds`` between since and until, or None

``kinds`` are the NotificationKinds the member gets as a digest, ``since`` is when
their previous digest run was (None before the first) and ``until`` is now. A
source renders for that member at that moment, spoiler-safe for their progress
now, and returns None when it has nothing to say. The parts of every source make
one email; with no part, no email.

``manage.py send_digests`` runs every hour (deploy/fansite-digest.timer). A
member's day is their own: it starts at midnight in their time zone (the
``time_zone`` of their account; UTC when they have none), and their digest goes
with the first run at or after ``SEND_FROM_HOUR`` o'clock of that day. A
:class:`~fansite.emails.models.DigestRun` row per member and local day, unique,
is written in the transaction that queues the email: a second run that day, or
a run at the same moment on another server, cannot write it again and sends
nothing.
"""

import logging
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DigestRun, EmailMode, EmailPreference, NotificationKind
from .preferences import receiving_addresses
from .services import queue_member_email
from .unsubscribe import DIGEST

logger = logging.getLogger(__name__)

# The digest of a day goes at the first run from this hour of the member's morning.
SEND_FROM_HOUR = 7

_sources = []


def register_digest_source(source):
    """Add ``source`` to every digest (usable as a decorator; once per function)."""
    if source not in _sources:
        _sources.append(source)
    return source


def unregister_digest_source(source):
    if source in _sources:
        _sources.remove(source)


def digest_sources():
    return tuple(_sources)


def member_zone(member):
    """The member's time zone; UTC when they chose none or one this server does not know."""
    name = getattr(member, "time_zone", "") or ""
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zoneinfo.ZoneInfo("UTC")


def digest_kinds():
    """{member pk: [kinds]} for every member who gets at least one kind as a digest.
    Only stored choices count: no kind defaults to the digest (models.DEFAULT_MODES)."""
    kinds = {}
    chosen = EmailPreference.objects.filter(mode=EmailMode.DIGEST).order_by("member_id", "kind")
    for member_id, kind in chosen.values_list("member_id", "kind"):
        kinds.setdefault(member_id, []).append(NotificationKind(kind))
    return kinds


@dataclass
class DigestReport:
    sent: int = 0
    empty: int = 0  # their day's run found nothing to tell them
    done_already: int = 0  # that day's digest was sent by an earlier (or parallel) run
    not_yet: int = 0  # too early in their day
    failed: int = 0  # a source raised: tried again at the next run


def send_digests(*, now=None, from_hour=SEND_FROM_HOUR):
    """Send the day's digest to every member whose morning it is and who has not had
    it yet. Returns a DigestReport."""
    now = now or timezone.now()
    report = DigestReport()
    sources = digest_sources()
    if not sources:
        return report
    kinds = digest_kinds()
    members = list(get_user_model()._default_manager.filter(pk__in=kinds).order_by("pk"))
    addresses = receiving_addresses(members)
    for member in members:
        address = addresses.get(member.pk)
        if address is None:
            continue  # unverified, deactivated or banned: nothing is sent, nothing recorded
        local = now.astimezone(member_zone(member))
        if local.hour < from_hour:
            report.not_yet += 1
            continue
        try:
            outcome = send_digest(
                member=member,
                address=address,
                kinds=kinds[member.pk],
                day=local.date(),
                now=now,
                sources=sources,
            )
        except Exception:
            logger.exception("The digest of member %s failed; the next run tries again", member.pk)
            report.failed += 1
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


@transaction.atomic
def send_digest(*, member, address, kinds, day, now, sources):
    """Send ``member`` their digest of local ``day``. Returns "sent", "empty" or
    "done_already" (another run recorded that day first)."""
    previous = (
        DigestRun.objects.filter(member_id=member.pk, day__lt=day)
        .order_by("-day")
        .values_list("ran_at", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            # Waits for a parallel run's transaction on the same row, then fails.
            run = DigestRun.objects.create(member_id=member.pk, day=day, ran_at=now)
    except IntegrityError:
        return "done_already"
    parts = []
    for source in sources:
        part = source(member=member, kinds=tuple(kinds), since=previous, until=now)
        if part is not None:
            parts.append(part)
    if not parts:
        return "empty"
    subject = parts[0][0] if len(parts) == 1 else _("Your daily digest")
    text = "\n\n".join(part[1] for part in parts)
    html = "\n".join(part[2] for part in parts)
    run.email = queue_member_email(
        member=member,
        address=address,
        scope=DIGEST,
        about=_("the daily digest"),
        subject=subject,
        text=text,
        html=html,
    )
    run.save(update_fields=["email"])
    return "sent"
