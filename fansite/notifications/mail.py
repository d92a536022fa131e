"""Notification emails: one at once per event for the kinds a member wants that way,
and their part of the daily digest for the kinds they want gathered.

Every email is written by the worker for its recipient at the moment it is written,
from the same lines the notification centre shows (``lines.describe``) and for the
recipient's progress then: a gated item is described by its board, its author and
the gate's label only, and inline spoilers are "[spoiler]". Nothing is written in a
web request: the fan-out task (``services.notify_about_comment``) records who wants
an email about a post, and :func:`email_about_comment` writes them, each in its own
transaction with a :class:`~.models.CommentEmail` mark, so running it again writes
no email twice. ``fansite.emails`` then sends them (retries, one-click unsubscribe).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fansite.comments.models import Comment
from fansite.emails.digests import register_digest_source
from fansite.emails.models import EmailMode, NotificationKind
from fansite.emails.preferences import email_modes, receiving_addresses
from fansite.emails.services import queue_member_email
from fansite.emails.unsubscribe import site_origin
from fansite.spoilers.readers import Reader

from . import lines
from .models import CommentEmail, FanOut, Notification

# How much of a comment an email quotes (plain text, spoilers as "[spoiler]").
EMAIL_SNIPPET_LENGTH = 500
# A digest lists this many lines at most, then links to the centre for the rest.
DIGEST_LINES = 50


def reader_of(member):
    """The member as a reader away from the site: their progress, nothing revealed."""
    return Reader(progress=member.watched_up_to)


def _absolute(origin, url):
    return origin + url if url.startswith("/") else url


def render_event(notification, member, *, origin):
    """``(subject, text, html)`` of an email about one notification to ``member``."""
    line = lines.describe(notification, reader_of(member), snippet_length=EMAIL_SNIPPET_LENGTH)
    context = {
        "line": line,
        "url": _absolute(origin, line.url) if line.url else "",
        "centre_url": origin + reverse("notifications:notification_list"),
    }
    return (
        line.text,
        render_to_string("notifications/email/event.txt", context).strip(),
        render_to_string("notifications/email/event.html", context),
    )


def _event_about(comment, kind):
    """The unsaved line a post makes for one recipient, as if it were their only one."""
    thread = comment.thread
    return Notification(
        kind=kind,
        actor=comment.author,
        thread=thread,
        article=comment.article,
        comment=comment,
        board=thread.board if thread is not None else None,
        count=1,
    )


def email_about_comment(comment_pk):
    """Write the emails about one post for those who wanted one at once when they were
    notified (``FanOut.email_to``) and still want it and may receive email now.
    Returns how many it queued, or None when it had been done."""
    fan_out = FanOut.objects.filter(comment_id=comment_pk, emailed_at__isnull=True).first()
    if fan_out is None:
        return None
    comment = (
        Comment.objects.select_related("thread__board", "article__spoils_episode", "author")
        .filter(pk=comment_pk)
        .first()
    )
    queued = 0
    if comment is not None and comment.is_shown:
        wanted = {int(pk): NotificationKind(kind) for pk, kind in fan_out.email_to.items()}
        members = list(get_user_model()._default_manager.filter(pk__in=wanted).order_by("pk"))
        addresses = receiving_addresses(members)
        modes = _modes_now(wanted)
        origin = site_origin()
        already = set(
            CommentEmail.objects.filter(comment_id=comment_pk).values_list("member_id", flat=True)
        )
        for member in members:
            kind = wanted[member.pk]
            address = addresses.get(member.pk)
            if address is None or member.pk in already or modes[member.pk] != EmailMode.IMMEDIATE:
                continue
            queued += _queue_once(comment, member, address, kind, origin)
    FanOut.objects.filter(comment_id=comment_pk).update(emailed_at=timezone.now())
    return queued


def _modes_now(wanted):
    """{member pk: EmailMode} now for the kind each was notified of (a query per kind)."""
    by_kind = {}
    for pk, kind in wanted.items():
        by_kind.setdefault(kind, []).append(pk)
    modes = {}
    for kind, pks in by_kind.items():
        modes.update(email_modes(pks, kind))
    return modes


def _queue_once(comment, member, address, kind, origin):
    try:
        with transaction.atomic():
            CommentEmail.objects.create(comment=comment, member=member)
            subject, text, html = render_event(_event_about(comment, kind), member, origin=origin)
            queue_member_email(
                member=member,
                address=address,
                scope=kind,
                about=kind.label,
                subject=subject,
                text=text,
                html=html,
                site_url=origin,
            )
    except IntegrityError:
        return 0  # another run wrote it meanwhile
    return 1


@transaction.atomic
def email_about_moderation(notice_pk):
    """Email a moderators' notice to its member if they want those at once. Decided
    once (``email_checked_at``): True if it queued an email."""
    claimed = Notification.objects.filter(
        pk=notice_pk, kind=Notification.Kind.MODERATION, email_checked_at__isnull=True
    ).update(email_checked_at=timezone.now())
    if not claimed:
        return False
    notice = Notification.objects.select_related(
        "recipient", "thread__board", "comment", "board", "article__spoils_episode"
    ).get(pk=notice_pk)
    member = notice.recipient
    kind = NotificationKind.MODERATION
    address = receiving_addresses([member]).get(member.pk)
    if address is None or email_modes([member], kind)[member.pk] != EmailMode.IMMEDIATE:
        return False
    origin = site_origin()
    subject, text, html = render_event(notice, member, origin=origin)
    queue_member_email(
        member=member,
        address=address,
        scope=kind,
        about=kind.label,
        subject=subject,
        text=text,
        html=html,
        site_url=origin,
    )
    return True


@register_digest_source
def notifications_digest(*, member, kinds, since, until):
    """The member's unread lines of ``kinds`` that changed since their last digest
    (the last day, for the first), as the centre would show them now."""
    since = since or until - timedelta(days=1)
    found = list(
        Notification.objects.for_member(member)
        .unread()
        .filter(kind__in=kinds, updated_at__gt=since, updated_at__lte=until)[: DIGEST_LINES + 1]
    )
    if not found:
        return None
    shown, more = found[:DIGEST_LINES], len(found) > DIGEST_LINES
    reader = reader_of(member)
    origin = site_origin()
    entries = []
    for notification in shown:
        line = lines.describe(notification, reader)
        entries.append({"line": line, "url": _absolute(origin, line.url) if line.url else ""})
    centre_url = origin + reverse("notifications:notification_list")
    context = {"entries": entries, "more": more, "centre_url": centre_url}
    if more:
        subject = _("More than %(count)s new notifications") % {"count": DIGEST_LINES}
    else:
        subject = ngettext(
            "%(count)s new notification", "%(count)s new notifications", len(shown)
        ) % {"count": len(shown)}
    return (
        subject,
        render_to_string("notifications/email/digest.txt", context).strip(),
        render_to_string("notifications/email/digest.html", context),
    )
