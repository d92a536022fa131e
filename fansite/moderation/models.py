from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fansite.comments.models import Comment
from fansite.threads.models import Thread


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Report.Status.OPEN)

    def about(self, item):
        """Reports about a comment, a thread or a member."""
        return self.filter(**Report.target_lookup(item))


class Report(models.Model):
    """A member's report about a comment, a thread or another member's profile."""

    class Reason(models.TextChoices):
        SPOILER = "spoiler", _("Spoiler without a tag")
        HARASSMENT = "harassment", _("Harassment")
        SPAM = "spam", _("Spam")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_made",
        verbose_name=_("reporter"),
    )
    comment = models.ForeignKey(
        "comments.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("comment"),
    )
    thread = models.ForeignKey(
        "threads.Thread",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("thread"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports_about_profile",
        verbose_name=_("member profile"),
    )
    reported_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_received",
        verbose_name=_("reported author"),
        help_text=_("Who wrote the reported item (the member, for a profile report)."),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    details = models.TextField(
        _("details"),
        max_length=1000,
        blank=True,
        help_text=_("Required when the reason is “Other”."),
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_resolved",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(comment__isnull=False, thread__isnull=True, member__isnull=True)
                    | Q(comment__isnull=True, thread__isnull=False, member__isnull=True)
                    | Q(comment__isnull=True, thread__isnull=True, member__isnull=False)
                ),
                name="report_about_exactly_one_item",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status="open", comment__isnull=False),
                name="report_one_open_per_member_per_comment",
            ),
            models.UniqueConstraint(
                fields=["reporter", "thread"],
                condition=Q(status="open", thread__isnull=False),
                name="report_one_open_per_member_per_thread",
            ),
            models.UniqueConstraint(
                fields=["reporter", "member"],
                condition=Q(status="open", member__isnull=False),
                name="report_one_open_per_member_per_profile",
            ),
        ]

    def __str__(self):
        return _("Report %(pk)s: %(reason)s") % {"pk": self.pk, "reason": self.get_reason_display()}

    @staticmethod
    def target_lookup(item):
        """Filter arguments selecting reports about ``item``."""
        if isinstance(item, Comment):
            return {"comment": item}
        if isinstance(item, Thread):
            return {"thread": item}
        return {"member": item}

    @property
    def target(self):
        return self.comment or self.thread or self.member


class ModerationLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The moderation log is append-only.")

    def delete(self):
        raise TypeError("The moderation log is append-only.")


class ModerationLog(models.Model):
    """One moderation step: who did what to which item, why, and what changed.

    Append-only: entries are created by fansite.moderation.services and never
    changed or deleted (the admin shows them read-only).
    """

    class Action(models.TextChoices):
        HIDE = "hide", _("Hid content")
        RESTORE = "restore", _("Restored content")
        AUTO_HIDE = "auto_hide", _("Hid content automatically (reports)")
        LOCK = "lock", _("Locked thread")
        UNLOCK = "unlock", _("Unlocked thread")
        PIN = "pin", _("Pinned thread")
        UNPIN = "unpin", _("Unpinned thread")
        MOVE = "move", _("Moved thread")
        DELETE_THREAD = "delete_thread", _("Deleted thread")
        RESPOIL = "respoil", _("Changed spoiler episode")
        RESOLVE = "resolve", _("Resolved report")
        DISMISS = "dismiss", _("Dismissed report")
        WARN = "warn", _("Warned member")
        SUSPEND = "suspend", _("Suspended member")
        BAN = "ban", _("Banned member")
        UNBAN = "unban", _("Lifted ban")
        HIDE_ALL = "hide_all", _("Hid all of a member's content")
        AUTHOR_EDIT = "author_edit", _("Author corrected their thread")
        GUARD_RAISE = "guard_raise", _("Spoiler guard raised spoiler episode")
        GUARD_UNDO = "guard_undo", _("Undid a spoiler guard's change")
        GUARD_GRANT = "guard_grant", _("Made spoiler guard")
        GUARD_REVOKE = "guard_revoke", _("Revoked spoiler guard role")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation_actions",
        verbose_name=_("moderator"),
        help_text=_(
            "Who acted: a moderator, a spoiler guard, or the author correcting their own "
            "thread. Empty for automatic actions."
        ),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action, db_index=True)
    target_type = models.CharField(_("target type"), max_length=20)
    target_id = models.PositiveBigIntegerField(_("target id"))
    target_repr = models.CharField(_("target"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    objects = ModerationLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        permissions = [
            ("moderate_members", _("Can warn, suspend, ban and unban members")),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="modlog_target")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The moderation log is append-only.")


class LevelChangeNoticeQuerySet(models.QuerySet):
    def unseen(self):
        return self.filter(seen_at__isnull=True)

    def for_display(self):
        """With what ``LevelChangeNotice.describe`` reads, in one query."""
        return self.select_related("thread__board", "comment__thread__board", "comment__article")


class LevelChangeNotice(models.Model):
    """Tells a member that someone else changed the spoiler episode of what they wrote.

    Shown once as a message on their next page, then listed on their own profile.
    Its text is built when it is shown, for the reader it is shown to
    (``describe``): it names the new episode, the board and the reason, and the
    thread's title only when it spoils nothing beyond the member's progress. Small
    on purpose: a general notifications app may replace it.
    """

    class Cause(models.TextChoices):
        MODERATOR = "moderator", _("a moderator")
        GUARD = "guard", _("a spoiler guard")
        AUTHOR = "author", _("the thread's author")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="level_change_notices",
        verbose_name=_("recipient"),
    )
    cause = models.CharField(_("changed by"), max_length=10, choices=Cause)
    thread = models.ForeignKey(
        "threads.Thread",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thread"),
        help_text=_("The recipient's thread whose episode changed (its opening post with it)."),
    )
    comment = models.ForeignKey(
        "comments.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comment"),
        help_text=_(
            "The recipient's comment whose episode changed, or one of several that rose "
            "with their thread."
        ),
    )
    comment_count = models.PositiveIntegerField(
        _("comments raised"),
        default=0,
        help_text=_("How many of the recipient's comments rose with a re-tagged thread."),
    )
    level_before = models.PositiveSmallIntegerField(_("episode before"), null=True, blank=True)
    level_after = models.PositiveSmallIntegerField(_("episode after"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    objects = LevelChangeNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("spoiler episode change notice")
        verbose_name_plural = _("spoiler episode change notices")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_by_recipient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False) | Q(comment__isnull=False),
                name="notice_about_a_thread_or_comment",
            ),
        ]

    def __str__(self):
        return _("Notice %(pk)s to %(recipient)s") % {"pk": self.pk, "recipient": self.recipient_id}

    def get_absolute_url(self):
        if self.comment_id and not self.thread_id:
            return self.comment.get_absolute_url()
        return self.about_thread.get_absolute_url()

    @property
    def about_thread(self):
        """The thread the notice is about: the member's own, or the one their
        comments are in (None for a comment on an article)."""
        return self.thread or (self.comment.thread if self.comment_id else None)
