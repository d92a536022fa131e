"""Follows, notification settings and notifications.

A notification is one line in a member's notification centre. Lines group: while
unread, there is at most one line per (recipient, kind, group), where the group is
the thread (replies, quotes, mentions, new comments) or the board (new threads),
and a later event bumps its count and latest comment instead of adding a line.
Moderation events never group. The line's text is not stored: it is written for
the reader when it is shown (``lines.py``), so it never spoils what they have not
watched at that moment.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fansite.articles.models import Article
from fansite.emails.models import NotificationKind


class FollowQuerySet(models.QuerySet):
    def active(self):
        """Follows that notify (not the ones kept to remember an unfollow)."""
        return self.filter(is_muted=False)


class Follow(models.Model):
    """A member following a thread (new comments) or a board (new threads)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("member"),
    )
    thread = models.ForeignKey(
        "threads.Thread",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("thread"),
    )
    board = models.ForeignKey(
        "threads.Board",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("board"),
    )
    is_muted = models.BooleanField(
        _("unfollowed"),
        default=False,
        help_text=_(
            "The member unfollowed it: posting there again does not follow it automatically."
        ),
    )
    created_at = models.DateTimeField(_("followed at"), default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, board__isnull=True)
                | Q(thread__isnull=True, board__isnull=False),
                name="follow_thread_xor_board",
            ),
            models.UniqueConstraint(
                fields=["member", "thread"],
                condition=Q(thread__isnull=False),
                name="follow_once_per_thread",
            ),
            models.UniqueConstraint(
                fields=["member", "board"],
                condition=Q(board__isnull=False),
                name="follow_once_per_board",
            ),
        ]
        indexes = [
            models.Index(fields=["thread", "is_muted"], name="follow_thread_followers"),
            models.Index(fields=["board", "is_muted"], name="follow_board_followers"),
        ]

    def __str__(self):
        return _("%(member)s follows %(what)s") % {
            "member": self.member_id,
            "what": f"thread {self.thread_id}" if self.thread_id else f"board {self.board_id}",
        }


class NotificationSettings(models.Model):
    """A member's notification choices (a member without a row has the defaults)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
        verbose_name=_("member"),
    )
    follow_threads_posted_in = models.BooleanField(
        _("follow threads I post in"),
        default=True,
        help_text=_("Starting a thread or replying in one follows it."),
    )

    class Meta:
        ordering = ["member"]
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return _("Notification settings of %(member)s") % {"member": self.member_id}


class NotificationQuerySet(models.QuerySet):
    def for_member(self, member):
        """A member's lines as the centre lists them, newest first, with what the lines
        show loaded (no query per line). Lines about content that has since been hidden
        or removed are left out, except moderators' notices about it."""
        about_visible = Q(thread__isnull=True) | Q(thread__is_hidden=False)
        about_visible &= Q(article__isnull=True) | Q(article__status=Article.Status.PUBLISHED)
        about_visible &= Q(comment__isnull=True) | Q(
            comment__is_hidden=False, comment__is_removed=False
        )
        return (
            self.filter(recipient=member)
            .filter(about_visible | Q(kind=Notification.Kind.MODERATION))
            .select_related("actor", "thread__board", "comment", "board", "article__spoils_episode")
            .order_by("-updated_at", "-pk")
        )

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    # The email preferences' kinds: a preference and a line always name the same thing.
    Kind = NotificationKind

    class ModerationAction(models.TextChoices):
        HIDDEN = "hidden", _("hidden")
        RESTORED = "restored", _("restored")
        RETAGGED = "retagged", _("re-tagged")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest actor"),
    )
    thread = models.ForeignKey(
        "threads.Thread",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thread"),
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article"),
        help_text=_("For comments on an article (then there is no thread)."),
    )
    comment = models.ForeignKey(
        "comments.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest comment"),
    )
    board = models.ForeignKey(
        "threads.Board",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("board"),
    )
    group = models.CharField(
        _("group"),
        max_length=40,
        blank=True,
        help_text=_("Unread lines with the same kind and group are one line (empty: never)."),
    )
    count = models.PositiveIntegerField(_("events"), default=1)
    moderation_action = models.CharField(
        _("moderation action"), max_length=20, choices=ModerationAction, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    level = models.PositiveSmallIntegerField(
        _("episode"), null=True, blank=True, help_text=_("The episode a re-tag set.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("latest at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_checked_at = models.DateTimeField(
        _("email decided at"),
        null=True,
        blank=True,
        help_text=_(
            "Moderators' notices: when the worker decided whether to email it (and did, if "
            "the member wants it). Set once, so no notice is emailed twice."
        ),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "group"],
                condition=Q(read_at__isnull=True) & ~Q(group=""),
                name="notification_one_unread_line_per_group",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-updated_at"], name="notification_centre"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return _("%(kind)s for %(recipient)s") % {
            "kind": self.get_kind_display(),
            "recipient": self.recipient_id,
        }

    @property
    def is_unread(self):
        return self.read_at is None


class FanOut(models.Model):
    """Marks a comment whose notifications were written, so that running the task
    again (a retry, a second worker) writes nothing twice."""

    comment = models.OneToOneField(
        "comments.Comment",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("comment"),
    )
    done_at = models.DateTimeField(_("done at"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    email_to = models.JSONField(
        _("to email"),
        default=dict,
        blank=True,
        help_text=_("{member pk: kind} of those who wanted an email at once, when notified."),
    )
    emailed_at = models.DateTimeField(
        _("emails written at"),
        null=True,
        blank=True,
        help_text=_("Empty while the emails about this post are still to be written."),
    )

    class Meta:
        ordering = ["-done_at"]
        verbose_name = _("notified comment")
        verbose_name_plural = _("notified comments")

    def __str__(self):
        return _("Notifications for comment %(pk)s") % {"pk": self.comment_id}


class CommentEmail(models.Model):
    """Marks a member emailed about a comment. Written in the transaction that queues
    the email, so running the email task again (a retry, a worker killed half-way,
    a second worker) queues no email twice."""

    comment = models.ForeignKey(
        "comments.Comment",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("comment"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    created_at = models.DateTimeField(_("emailed at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("comment email")
        verbose_name_plural = _("comment emails")
        constraints = [
            models.UniqueConstraint(fields=["comment", "member"], name="comment_email_once"),
        ]

    def __str__(self):
        return _("Comment %(comment)s emailed to %(member)s") % {
            "comment": self.comment_id,
            "member": self.member_id,
        }
