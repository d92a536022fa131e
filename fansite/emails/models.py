from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailQuerySet(models.QuerySet):
    def due(self, now=None):
        """Queued emails whose next attempt is due."""
        now = now or timezone.now()
        return self.filter(status=Email.Status.QUEUED, next_attempt_at__lte=now)


class Email(models.Model):
    """One message to one address, from the moment a write asks for it until it is
    sent (or given up on). The row is the truth; tasks only carry its id."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    to = models.EmailField(_("to"), max_length=254)
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("plain text"))
    html_body = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(
        _("being sent since"),
        null=True,
        blank=True,
        help_text=_("Set while a worker sends it; a stale claim means the worker died."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due")]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class NotificationKind(models.TextChoices):
    """What a notification email is about. The notifications app uses these values for
    its own kinds, so a preference and a notification always name the same thing."""

    REPLY = "reply", _("Replies to your comments and threads")
    QUOTE = "quote", _("Quotes of your comments")
    MENTION = "mention", _("Mentions of your @username")
    NEW_THREAD = "new_thread", _("New threads on boards you follow")
    NEW_COMMENT = "new_comment", _("New comments in threads you follow")
    MODERATION = "moderation", _("Moderators' actions on your posts")


class EmailMode(models.TextChoices):
    """How a member wants to hear about one kind of notification by email."""

    OFF = "off", _("Off")
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("Daily digest")


# What a member gets without having chosen: an answer to them by email at once, the
# rest only in the notification centre. No default is the digest, so the daily run
# only looks at members who chose one (fansite.emails.digests relies on that).
DEFAULT_MODES = {
    NotificationKind.REPLY: EmailMode.IMMEDIATE,
    NotificationKind.MENTION: EmailMode.IMMEDIATE,
}


def default_mode(kind):
    return DEFAULT_MODES.get(kind, EmailMode.OFF)


class EmailPreference(models.Model):
    """A member's choice for one kind of notification email. No row: the default
    (``DEFAULT_MODES``)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="email_preferences",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind)
    mode = models.CharField(
        _("mode"),
        max_length=10,
        choices=EmailMode,
        help_text=_(
            "Off: no email. At once: one email per notification. Daily digest: one email "
            "a day listing them."
        ),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["member", "kind"]
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="email_preference_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values),
                name="email_preference_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=EmailMode.values),
                name="email_preference_mode_known",
            ),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.kind} → {self.mode}"


class DigestRun(models.Model):
    """The daily digest of one member for one day of their own calendar. The unique
    (member, day) pair is what makes a second run, or two at once, send nothing."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="digest_runs",
    )
    day = models.DateField(_("day"), help_text=_("The date in the member's time zone."))
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    email = models.ForeignKey(
        Email,
        verbose_name=_("email"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Empty when there was nothing to tell the member that day."),
    )

    class Meta:
        ordering = ["-day", "member"]
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="digest_once_a_day"),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.day}"
