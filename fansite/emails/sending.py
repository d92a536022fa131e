"""Sending one queued email: claim it, send it, record what happened."""

import email.policy
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from .models import Email

logger = logging.getLogger(__name__)


def claim(email_id, *, now=None):
    """Take a queued, due email for sending; None when it is not (any more): sent,
    given up, being sent by another worker, or not due yet."""
    now = now or timezone.now()
    claimed = Email.objects.filter(
        pk=email_id, status=Email.Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Email.Status.SENDING, claimed_at=now)
    return Email.objects.get(pk=email_id) if claimed else None


# RFC 5322's limit on a line; 78 is only what it recommends.
MAX_LINE_LENGTH = 998


class UnfoldedLinksMessage(EmailMultiAlternatives):
    """A message whose ``List-Unsubscribe`` link stays as it is. At the usual 78
    characters Python cannot fold the long signed link (it has no space), so it
    writes it as RFC 2047 encoded words (``=?utf-8?q?=3Chttps=3A//…``), which mail
    programs do not decode in that header: their "Unsubscribe" button would be
    gone. Lines up to RFC 5322's 998 characters keep it readable."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=MAX_LINE_LENGTH))


def build_message(email):
    kind = UnfoldedLinksMessage if "List-Unsubscribe" in email.headers else EmailMultiAlternatives
    message = kind(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email or None,
        to=[email.to],
        headers=email.headers,
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


@dataclass(frozen=True)
class Outcome:
    sent: bool
    retry_at: datetime | None = None  # None when sent, or given up


def send(email):
    """Send a claimed email and record what happened."""
    try:
        build_message(email).send()
    except (smtplib.SMTPException, OSError) as error:
        return Outcome(sent=False, retry_at=record_failure(email, error))
    # The text goes once sent: it may hold a password reset link, and nobody needs
    # it any more. The row stays, as the record of what was sent to whom and when.
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENT,
        sent_at=timezone.now(),
        claimed_at=None,
        last_error="",
        body="",
        html_body="",
    )
    return Outcome(sent=True)


def _is_permanent(error):
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        code = min(codes) if codes else None
    return code is not None and 500 <= code < 600


def record_failure(email, error, *, now=None):
    """Put the email back in the queue for a later attempt, or give up on it.
    Returns when to try again (None: given up)."""
    now = now or timezone.now()
    attempts = email.attempts + 1
    delays = settings.EMAIL_RETRY_DELAYS
    give_up = _is_permanent(error) or attempts > len(delays)
    fields = {"attempts": attempts, "claimed_at": None, "last_error": repr(error)[:2000]}
    if give_up:
        fields["status"] = Email.Status.FAILED
        logger.error(
            "Gave up on email %s to %s after %s attempts: %r", email.pk, email.to, attempts, error
        )
    else:
        fields["status"] = Email.Status.QUEUED
        fields["next_attempt_at"] = now + timedelta(seconds=delays[attempts - 1])
        logger.warning(
            "Email %s to %s failed (attempt %s), next try at %s: %r",
            email.pk,
            email.to,
            attempts,
            fields["next_attempt_at"].isoformat(),
            error,
        )
    Email.objects.filter(pk=email.pk, status=Email.Status.SENDING).update(**fields)
    return None if give_up else fields["next_attempt_at"]
