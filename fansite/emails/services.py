"""Queueing and sending email.

A write that should send mail calls :func:`queue_email` (or :func:`queue_message`)
inside its transaction. The email is a row in that same transaction: it exists
exactly when the write does. Once the transaction commits, a task is enqueued to
send it (``fansite.emails.tasks.deliver_email``), so no web request ever waits
for, or fails because of, a mail server.

Sending claims the row first (queued -> sending, one UPDATE that only one worker
can win), sends, then marks it sent. A mail server that fails is tried again
later, after ``EMAIL_RETRY_DELAYS``; permanent refusals (5xx) are given up at
once. A worker that dies while sending leaves a stale claim, which
:func:`requeue_stalled` (``manage.py requeue_email``, run when the worker starts
and every few minutes) puts back in the queue. The only way an email can go out
twice is the worker dying in the instant between the mail server accepting it
and the row being marked sent: SMTP gives no way to close that window. Each
email keeps one Message-ID across attempts, so a duplicate is recognisable.
"""

import logging
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from .models import Email, EmailMode, NotificationKind
from .preferences import email_mode, receiving_address
from .tasks import enqueue_delivery
from .unsubscribe import site_origin, unsubscribe_headers, unsubscribe_url

logger = logging.getLogger(__name__)


def queue_email(*, to, subject, body, html_body="", from_email="", headers=None):
    """Queue one email to one address; it is sent after the current transaction
    commits (at once when there is none)."""
    headers = dict(headers or {})
    # One Message-ID for every attempt, so that a duplicate is recognisable.
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    headers.setdefault("Message-ID", make_msgid(domain=sender.rpartition("@")[2] or None))
    email = Email.objects.create(
        to=to,
        subject=" ".join(subject.splitlines()),
        body=body,
        html_body=html_body,
        from_email=from_email or "",
        headers=headers,
    )
    transaction.on_commit(lambda: enqueue_delivery(email.pk), robust=True)
    return email


def queue_message(message):
    """Queue a rendered Django ``EmailMessage`` (one email per recipient)."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = content
    body = message.body
    if getattr(message, "content_subtype", "plain") == "html":
        html, body = body, ""
    return [
        queue_email(
            to=address,
            subject=message.subject,
            body=body,
            html_body=html,
            from_email=message.from_email or "",
            headers=message.extra_headers,
        )
        for address in message.to
    ]


def queue_notification_email(*, member, kind, subject, text, html, site_url=None):
    """Queue a notification email about ``kind`` to ``member`` if they want it at
    once (:func:`~fansite.emails.preferences.email_mode`) and may receive email
    (:func:`~fansite.emails.preferences.receiving_address`); None otherwise.

    ``text`` is the plain-text body and ``html`` the HTML one (already escaped:
    it is inserted as it is), both rendered for this recipient, spoiler-safe for
    their progress now. A footer with the one-click unsubscribe link and the link
    to Settings → Email is added to both, and the ``List-Unsubscribe`` headers.
    """
    address = receiving_address(member)
    if address is None or email_mode(member, kind) != EmailMode.IMMEDIATE:
        return None
    return queue_member_email(
        member=member,
        address=address,
        scope=NotificationKind(kind),
        about=NotificationKind(kind).label,
        subject=subject,
        text=text,
        html=html,
        site_url=site_url,
    )


def queue_member_email(*, member, address, scope, about, subject, text, html, site_url=None):
    """Queue ``subject``/``text``/``html`` to ``address`` with the unsubscribe footer
    and headers for ``scope`` (a kind, or ``unsubscribe.DIGEST``). The caller has
    checked that the member wants it and may receive it."""
    origin = (site_url or site_origin()).rstrip("/")
    context = {
        "subject": subject,
        "about": about,
        "unsubscribe_url": unsubscribe_url(member, scope, origin),
        "settings_url": origin + reverse("users:email_settings"),
        "site_name": settings.SITE_NAME,
        "site_url": origin,
    }
    body = render_to_string("emails/notification.txt", {**context, "text": text})
    # The caller rendered and escaped ``html`` (it is what its own template produced).
    html_body = render_to_string("emails/notification.html", {**context, "html": mark_safe(html)})
    return queue_email(
        to=address,
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=body,
        html_body=html_body,
        headers=unsubscribe_headers(member, scope, origin),
    )


def requeue_stalled(*, now=None):
    """Queue again what no worker would send otherwise: claims older than
    ``EMAIL_SEND_LEASE`` seconds (the worker died while sending) and queued emails
    long overdue (their task was lost). Returns how many it enqueued."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.EMAIL_SEND_LEASE)
    stale = Email.objects.filter(status=Email.Status.SENDING, claimed_at__lt=now - lease)
    requeued = list(stale.values_list("pk", flat=True))
    if requeued:
        # A claim that was finished meanwhile is left alone: its task finds it sent.
        stale.filter(pk__in=requeued).update(
            status=Email.Status.QUEUED, claimed_at=None, next_attempt_at=now
        )
        logger.warning("Emails %s were being sent by a worker that stopped: queued again", requeued)
    # A queued email this overdue has evidently no task waiting for it (lost).
    late = timedelta(seconds=settings.EMAIL_REQUEUE_AFTER)
    overdue = Email.objects.due(now).filter(next_attempt_at__lte=now - late)
    email_ids = {*requeued, *overdue.values_list("pk", flat=True)}
    for email_id in sorted(email_ids):
        enqueue_delivery(email_id)
    return len(email_ids)


def send_queued_now(*, now=None):
    """Try every queued email again now instead of at its next attempt (after the
    mail server has been fixed). Returns how many it enqueued."""
    now = now or timezone.now()
    queued = Email.objects.filter(status=Email.Status.QUEUED)
    email_ids = list(queued.values_list("pk", flat=True))
    queued.filter(pk__in=email_ids).update(next_attempt_at=now)
    for email_id in email_ids:
        enqueue_delivery(email_id)
    return len(email_ids)


def prune_sent(*, now=None):
    """Delete the record of emails sent more than ``EMAIL_KEEP_DAYS`` days ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EMAIL_KEEP_DAYS)
    deleted, _by_model = Email.objects.filter(status=Email.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted
