"""Reports and moderation actions.

Every moderation step goes through one of these functions, whether it comes
from the admin report queue, an admin bulk action or a management shell, so
the permission checks cannot be skipped and every change leaves exactly one
entry in the append-only ModerationLog (who, what, target, why, before/after).

A call that would change nothing (hiding a hidden comment, resolving an item
without open reports) returns False/0 and writes no entry.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, Max, OuterRef, Q, Subquery, Value, When
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from fansite.comments.models import Comment
from fansite.comments.services import (
    LevelChange,
    edit_thread,
    ensure_can_edit_thread,
    set_comment_level,
    set_thread_level,
)
from fansite.emails.services import queue_email
from fansite.episodes.models import Episode
from fansite.notifications.models import Notification
from fansite.notifications.services import notify_moderation
from fansite.search.indexing import drop_level_hints
from fansite.threads.models import Thread
from fansite.threads.services import delete_thread as remove_thread
from fansite.threads.services import recount_boards
from fansite.users.models import PERMANENT_BAN_UNTIL  # re-exported for callers and tests
from fansite.users.standing import (
    PostingRefused,
    ban_end,
    ban_reason,
    ensure_can_guard,
    good_standing_joined_before,
)

from .models import LevelChangeNotice, ModerationLog, Report
from .notices import notify_level_change

DEFAULT_AUTO_HIDE_REPORTS = 3

Action = ModerationLog.Action
Cause = LevelChangeNotice.Cause

logger = logging.getLogger(__name__)


class ReportRefused(Exception):
    """A report the member may not make; the message says why, for the member."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- Helpers ---------------------------------------------------------------------------------


def is_permanent_ban(until):
    return until is not None and until >= PERMANENT_BAN_UNTIL


def describe_ban(member):
    """``"permanently"`` or ``"until 5 March 2025, 14:00"`` for messages."""
    when = ban_end(member)
    return _("permanently") if when is None else _("until %(when)s") % {"when": when}


def target_type(item):
    if isinstance(item, Comment):
        return "comment"
    if isinstance(item, Thread):
        return "thread"
    return "member"


def target_repr(item):
    """How the log names an item (moderators only: may contain spoilers)."""
    if isinstance(item, Comment):
        author = item.author.username if item.author_id else _("deleted member")
        text = _("Comment %(pk)s by %(author)s") % {"pk": item.pk, "author": author}
    elif isinstance(item, Thread):
        text = _("Thread %(pk)s: %(title)s") % {"pk": item.pk, "title": item.title}
    else:
        text = _("Member %(username)s") % {"username": item.username}
    return text[:200]


def item_author(item):
    """Who is answerable for an item: its author, or the member for a profile."""
    if isinstance(item, Comment | Thread):
        return item.author
    return item


def _log(*, moderator, action, item, reason="", before=None, after=None):
    return ModerationLog.objects.create(
        moderator=moderator,
        action=action,
        target_type=target_type(item),
        target_id=item.pk,
        target_repr=target_repr(item),
        reason=reason,
        before=before,
        after=after,
    )


def _iso(value):
    return value.isoformat() if value is not None else None


def _require(moderator, *perms):
    if (
        moderator is None
        or not moderator.is_authenticated
        or not moderator.is_active
        or not moderator.is_staff
        or not moderator.has_perms(perms)
    ):
        raise PermissionDenied(_("You do not have permission to do this."))


def _content_perm(item):
    if isinstance(item, Comment):
        return "comments.change_comment"
    if isinstance(item, Thread):
        return "threads.change_thread"
    raise TypeError(f"Only comments and threads can be moderated this way, not {item!r}.")


def _ensure_can_act_on_member(moderator, member):
    _require(moderator, "moderation.moderate_members")
    if member.pk == moderator.pk:
        raise PermissionDenied(_("You cannot take moderation action on your own account."))
    if member.is_superuser:
        raise PermissionDenied(_("Administrators' accounts cannot be moderated."))
    if member.is_staff and not moderator.is_superuser:
        raise PermissionDenied(
            _("Only an administrator can take action on another staff member's account.")
        )


def _locked(item):
    """``item`` re-read under a row lock, so concurrent moderation serialises."""
    return type(item).objects.select_for_update().get(pk=item.pk)


# --- Reports ---------------------------------------------------------------------------------


def auto_hide_threshold():
    return getattr(settings, "MODERATION_AUTO_HIDE_REPORTS", DEFAULT_AUTO_HIDE_REPORTS)


def ensure_can_report(reporter):
    """Raise ReportRefused unless ``reporter`` may report anything at all."""
    if reporter is None or not reporter.is_authenticated:
        raise ReportRefused(_("Log in to report something to the moderators."))
    if not reporter.is_active:
        raise ReportRefused(_("This account is deactivated and cannot report."))
    if reporter.is_banned:
        message = _("You are banned %(when)s and cannot report.") % {"when": describe_ban(reporter)}
        raise ReportRefused(message + ban_reason(reporter))


@transaction.atomic
def report_item(*, reporter, item, reason, details=""):
    """A member reports a comment, a thread or a member's profile to the moderators.

    When enough distinct members have open reports about a comment or thread
    (settings.MODERATION_AUTO_HIDE_REPORTS), it is hidden pending review and the
    log records an automatic AUTO_HIDE step. Profiles are never hidden this way.
    """
    ensure_can_report(reporter)
    if reason not in Report.Reason.values:
        raise ReportRefused(_("Choose a reason for your report."))
    details = (details or "").strip()
    if reason == Report.Reason.OTHER and not details:
        raise ReportRefused(_("Tell the moderators what is wrong when you choose “Other”."))
    max_details = Report._meta.get_field("details").max_length
    if len(details) > max_details:
        raise ReportRefused(
            _("Keep the details under %(count)d characters.") % {"count": max_details}
        )
    author = item_author(item)
    if author is not None and author.pk == reporter.pk:
        if isinstance(item, Comment | Thread):
            raise ReportRefused(_("You cannot report your own posts."))
        raise ReportRefused(_("You cannot report your own profile."))

    # Lock the reported row first: concurrent reports about the same item then
    # count one another, so the threshold is neither skipped nor acted on twice.
    item = _locked(item)
    duplicate = _("You have already reported this; moderators will look at it.")
    lookup = Report.target_lookup(item)
    if Report.objects.open().filter(reporter=reporter, **lookup).exists():
        raise ReportRefused(duplicate)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                reported_author=author,
                reason=reason,
                details=details,
                **lookup,
            )
    except IntegrityError:
        # Two submissions of the same report racing each other.
        raise ReportRefused(duplicate) from None

    if isinstance(item, Comment | Thread):
        _auto_hide_if_reported_enough(item)
    return report


def trusted_spoiler_report_weight():
    return getattr(settings, "MODERATION_TRUSTED_SPOILER_REPORT_WEIGHT", 2)


def upheld_reports_against(member_ref):
    """Reports about ``member_ref``'s posts or profile that moderators upheld (closed
    with action taken: status *resolved*; dismissed reports do not count)."""
    return Report.objects.filter(reported_author=member_ref, status=Report.Status.RESOLVED)


def report_weights(item):
    """``{reporter pk: weight}`` of the open reports about ``item``: each member counts
    once, and a "spoiler without a tag" report from a member in good standing (account
    older than ``GOOD_STANDING_ACCOUNT_AGE``, no upheld reports against them) counts
    ``MODERATION_TRUSTED_SPOILER_REPORT_WEIGHT`` times. One query."""
    weight = trusted_spoiler_report_weight()
    trusted = (
        Q(reason=Report.Reason.SPOILER)
        & Q(reporter__date_joined__lte=good_standing_joined_before())
        & ~Exists(upheld_reports_against(OuterRef("reporter")))
    )
    rows = (
        Report.objects.open()
        .filter(**Report.target_lookup(item))
        .values("reporter")
        .annotate(weight=Max(Case(When(trusted, then=Value(weight)), default=Value(1))))
        .order_by()
    )
    return {row["reporter"]: row["weight"] for row in rows}


def _auto_hide_if_reported_enough(item):
    weights = report_weights(item)
    reporters, counted = len(weights), sum(weights.values())
    if counted < auto_hide_threshold():
        return False
    # Conditional update: only the report that actually flips the flag logs it.
    if not type(item).objects.filter(pk=item.pk, is_hidden=False).update(is_hidden=True):
        return False
    item.is_hidden = True
    if isinstance(item, Thread):
        recount_boards(item.board_id)
    if counted == reporters:
        reason = _("Reported by %(count)d members; hidden pending review.") % {"count": reporters}
    else:
        reason = _(
            "Reported by %(count)d members, counting as %(counted)d (spoiler reports from "
            "members in good standing count more); hidden pending review."
        ) % {"count": reporters, "counted": counted}
    _log(
        moderator=None,
        action=Action.AUTO_HIDE,
        item=item,
        reason=reason,
        before={"is_hidden": False},
        after={"is_hidden": True},
    )
    return True


def _close_reports(*, item, moderator, status, action, text):
    reports = Report.objects.open().filter(**Report.target_lookup(item)).select_for_update()
    ids = sorted(reports.values_list("pk", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    Report.objects.filter(pk__in=ids).update(
        status=status, resolved_by=moderator, resolved_at=now, resolution=text[:300]
    )
    _log(
        moderator=moderator,
        action=action,
        item=item,
        reason=text,
        before={"status": Report.Status.OPEN.value, "reports": ids},
        after={"status": status.value, "reports": ids},
    )
    return len(ids)


@transaction.atomic
def resolve_reports(*, item, moderator, resolution):
    """Close every open report about ``item`` as acted upon (upheld).

    Writes one RESOLVE entry for the item (listing the report ids); returns how
    many reports were closed. Members whose spoiler reports have now been upheld
    ``SPOILER_GUARD_UPHELD_REPORTS`` times become spoiler guards.
    """
    _require(moderator, "moderation.change_report")
    spoiler_reporters = set(
        Report.objects.open()
        .filter(**Report.target_lookup(item), reason=Report.Reason.SPOILER)
        .values_list("reporter", flat=True)
    )
    closed = _close_reports(
        item=item,
        moderator=moderator,
        status=Report.Status.RESOLVED,
        action=Action.RESOLVE,
        text=resolution,
    )
    if spoiler_reporters:
        _grant_earned_guard_roles(spoiler_reporters)
    return closed


@transaction.atomic
def dismiss_reports(*, item, moderator, reason=""):
    """Close every open report about ``item`` as unfounded (one DISMISS entry)."""
    _require(moderator, "moderation.change_report")
    return _close_reports(
        item=item,
        moderator=moderator,
        status=Report.Status.DISMISSED,
        action=Action.DISMISS,
        text=reason or _("Dismissed: nothing to act on."),
    )


# --- Comments and threads --------------------------------------------------------------------


def _set_fields(*, item, moderator, action, reason, perm, **values):
    _require(moderator, perm)
    current = _locked(item)
    before = {field: getattr(current, field) for field in values}
    if before == values:
        return False
    type(item).objects.filter(pk=item.pk).update(**values)
    for field, value in values.items():
        setattr(item, field, value)
    if isinstance(item, Thread) and "is_hidden" in values:
        # Hidden threads count nowhere members can see.
        recount_boards(item.board_id)
    changed = [field for field in values if before[field] != values[field]]
    _log(
        moderator=moderator,
        action=action,
        item=item,
        reason=reason,
        before={field: before[field] for field in changed},
        after={field: values[field] for field in changed},
    )
    return True


@transaction.atomic
def hide_item(*, item, moderator, reason=""):
    """Hide a comment or thread: members see a placeholder, moderators the text."""
    changed = _set_fields(
        item=item,
        moderator=moderator,
        action=Action.HIDE,
        reason=reason,
        perm=_content_perm(item),
        is_hidden=True,
    )
    if changed:
        notify_moderation(item=item, action=Notification.ModerationAction.HIDDEN, reason=reason)
    return changed


@transaction.atomic
def restore_item(*, item, moderator, reason=""):
    """Show a hidden comment or thread again."""
    changed = _set_fields(
        item=item,
        moderator=moderator,
        action=Action.RESTORE,
        reason=reason,
        perm=_content_perm(item),
        is_hidden=False,
    )
    if changed:
        notify_moderation(item=item, action=Notification.ModerationAction.RESTORED, reason=reason)
    return changed


@transaction.atomic
def delete_thread(*, thread, moderator, reason=""):
    """Delete a thread and all its comments for good (administrators only: the
    moderators' way is hiding). The log keeps what it was: title, board, author and
    how many posts went with it."""
    _require(moderator, "threads.delete_thread")
    before = {
        "title": thread.title,
        "board": thread.board_id,
        "author": thread.author_id,
        "posts": thread.comments.count(),
    }
    _log(
        moderator=moderator, action=Action.DELETE_THREAD, item=thread, reason=reason, before=before
    )

    remove_thread(thread=thread)


@transaction.atomic
def lock_thread(*, thread, moderator, reason=""):
    """Close a thread to new comments."""
    return _set_fields(
        item=thread,
        moderator=moderator,
        action=Action.LOCK,
        reason=reason,
        perm="threads.change_thread",
        is_locked=True,
    )


@transaction.atomic
def unlock_thread(*, thread, moderator, reason=""):
    return _set_fields(
        item=thread,
        moderator=moderator,
        action=Action.UNLOCK,
        reason=reason,
        perm="threads.change_thread",
        is_locked=False,
    )


@transaction.atomic
def pin_thread(*, thread, moderator, reason=""):
    """Keep a thread at the top of its board (its activity time is left alone)."""
    return _set_fields(
        item=thread,
        moderator=moderator,
        action=Action.PIN,
        reason=reason,
        perm="threads.change_thread",
        is_pinned=True,
    )


@transaction.atomic
def unpin_thread(*, thread, moderator, reason=""):
    return _set_fields(
        item=thread,
        moderator=moderator,
        action=Action.UNPIN,
        reason=reason,
        perm="threads.change_thread",
        is_pinned=False,
    )


@transaction.atomic
def move_thread(*, thread, board, moderator, reason=""):
    """Move a thread to another board, keeping both boards' counters true.

    Moving onto an episode board raises the thread's and its comments' spoiler
    episode to at least the board's episode (never lowers it), because that
    board's readers expect spoilers up to it and its lists gate accordingly.
    """
    _require(moderator, "threads.change_thread")
    current = _locked(thread)
    if current.board_id == board.pk:
        return False
    old_board_id = current.board_id
    before = {"board": old_board_id, "spoils_episode": current.spoils_episode_id}
    updates = {"board": board}
    after = {"board": board.pk, "spoils_episode": current.spoils_episode_id}
    raised_comments = 0
    change = None
    level = board.spoiler_level
    if level is not None:
        if current.spoils_episode_id is None or current.spoils_episode_id < level:
            updates["spoils_episode_id"] = level
            after["spoils_episode"] = level
            # The thread's level rises: its authors are told, as for a re-tag.
            # The opening post is the thread's own text, not a comment carried with it.
            opening = Comment.objects.filter(thread=current).order_by("pk").values("pk")[:1]
            below = (
                Comment.objects.filter(thread=current)
                .filter(Q(spoils_episode__isnull=True) | Q(spoils_episode_id__lt=level))
                .exclude(pk=Subquery(opening))
                .order_by()
            )
            change = LevelChange(
                item=thread,
                before=current.spoils_episode_id,
                after=level,
                carried={
                    pk: (author_pk, was)
                    for pk, author_pk, was in below.values_list("pk", "author", "spoils_episode")
                },
            )
        raised_comments = (
            Comment.objects.filter(thread=current)
            .filter(spoils_episode__isnull=True)
            .update(spoils_episode_id=level)
        ) + Comment.objects.filter(thread=current, spoils_episode_id__lt=level).update(
            spoils_episode_id=level
        )
    Thread.objects.filter(pk=current.pk).update(**updates)
    recount_boards(old_board_id, board.pk)
    thread.board = board
    thread.spoils_episode_id = after["spoils_episode"]
    if before["spoils_episode"] == after["spoils_episode"]:
        del before["spoils_episode"], after["spoils_episode"]
    if raised_comments:
        after["comments_raised_to_episode"] = raised_comments
    _log(
        moderator=moderator,
        action=Action.MOVE,
        item=thread,
        reason=reason,
        before=before,
        after=after,
    )
    if change is not None:
        notify_level_change(change=change, cause=Cause.MODERATOR, actor=moderator, reason=reason)
    return True


@transaction.atomic
def respoil_item(*, item, episode_position, moderator, reason=""):
    """Change the episode a comment or thread spoils up to (up or down).

    For a thread, its opening post follows: the thread's level covers its title
    and opening post together. Raising a thread also raises every other comment
    on it that spoils less (they were written in a thread that now counts as
    spoiling that far); lowering a thread never lowers them
    (``comments.services.set_thread_level``). The authors are told, with the reason
    (``notices``).
    """
    _require(moderator, _content_perm(item))
    _ensure_episode(episode_position)
    change = _set_level(_locked(item), episode_position)
    if change is None:
        return False
    item.spoils_episode_id = episode_position
    # These bulk updates send no signals: the log entry's save drops every cached
    # page (the "site" scope, moderation/apps.py), and comment cards are keyed by
    # the comment's level (comments/cards.py).
    _record_level_change(
        item, change, actor=moderator, action=Action.RESPOIL, cause=Cause.MODERATOR, reason=reason
    )
    notify_moderation(
        item=item,
        action=Notification.ModerationAction.RETAGGED,
        reason=reason,
        level=episode_position,
    )
    return True


def _ensure_episode(episode_position):
    if (
        episode_position is not None
        and not Episode.objects.filter(position=episode_position).exists()
    ):
        raise ValidationError(_("There is no episode %(n)s.") % {"n": episode_position})


def _set_level(current, level):
    """Set a locked thread's or comment's level; the LevelChange, or None."""
    if isinstance(current, Thread):
        change = set_thread_level(thread=current, level=level)
    else:
        change = set_comment_level(comment=current, level=level)
    # The levels were set in bulk, without saves: search's hints follow.
    drop_level_hints(current)
    return change


def _record_level_change(item, change, *, actor, action, cause, reason, before_extra=None):
    """Log ``change`` (``item``'s LevelChange) once and tell the authors whose posts
    it moved."""
    before, after = _level_fields(change)
    before.update(before_extra or {})
    _log(moderator=actor, action=action, item=item, reason=reason, before=before, after=after)
    notify_level_change(change=change, cause=cause, actor=actor, reason=reason)


def _level_fields(change):
    """The log entry's before/after for a change of level."""
    before = {"spoils_episode": change.before}
    after = {"spoils_episode": change.after}
    if isinstance(change.item, Thread):
        if change.opening is not None and change.opening_before != change.after:
            before["opening_post_spoils_episode"] = change.opening_before
            after["opening_post_spoils_episode"] = change.after
        before["comments_raised"] = 0
        after["comments_raised"] = len(change.carried)
    return before, after


# --- Members ---------------------------------------------------------------------------------


def _ban_fields(member):
    return {"banned_until": _iso(member.banned_until), "ban_reason": member.ban_reason}


def _set_ban(*, member, moderator, action, until, reason):
    _ensure_can_act_on_member(moderator, member)
    current = _locked(member)
    before = _ban_fields(current)
    get_user_model().objects.filter(pk=member.pk).update(banned_until=until, ban_reason=reason)
    member.banned_until = until
    member.ban_reason = reason
    _log(
        moderator=moderator,
        action=action,
        item=member,
        reason=reason,
        before=before,
        after=_ban_fields(member),
    )
    return True


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason: the member will see it."))
    return reason


@transaction.atomic
def suspend_member(*, member, until, moderator, reason):
    """Bar a member from posting, editing and reporting until ``until``."""
    reason = _require_reason(reason)
    if until <= timezone.now():
        raise ValidationError(_("Choose an end of the suspension in the future."))
    return _set_ban(
        member=member, moderator=moderator, action=Action.SUSPEND, until=until, reason=reason
    )


@transaction.atomic
def ban_member(*, member, moderator, reason):
    """Bar a member from posting, editing and reporting for good (they can still read)."""
    reason = _require_reason(reason)
    return _set_ban(
        member=member,
        moderator=moderator,
        action=Action.BAN,
        until=PERMANENT_BAN_UNTIL,
        reason=reason,
    )


@transaction.atomic
def unban_member(*, member, moderator, reason=""):
    """Lift a suspension or ban. Returns False when the member was not banned."""
    _ensure_can_act_on_member(moderator, member)
    current = _locked(member)
    if current.banned_until is None and not current.ban_reason:
        return False
    before = _ban_fields(current)
    get_user_model().objects.filter(pk=member.pk).update(banned_until=None, ban_reason="")
    member.banned_until = None
    member.ban_reason = ""
    _log(
        moderator=moderator,
        action=Action.UNBAN,
        item=member,
        reason=reason,
        before=before,
        after=_ban_fields(member),
    )
    return True


@transaction.atomic
def warn_member(*, member, moderator, reason):
    """Send a member a warning email from the moderators and record it."""
    reason = _require_reason(reason)
    _ensure_can_act_on_member(moderator, member)
    entry = _log(moderator=moderator, action=Action.WARN, item=member, reason=reason)
    if member.email:
        context = {"member": member, "reason": reason, "site_name": settings.SITE_NAME}
        subject = render_to_string("moderation/email/warning_subject.txt", context).strip()
        body = render_to_string("moderation/email/warning_message.txt", context)
        queue_email(to=member.email, subject=subject, body=body)
    return entry


@transaction.atomic
def hide_all_content(*, member, moderator, reason):
    """Hide every comment and thread a member wrote (one HIDE_ALL entry with the counts)."""
    reason = _require_reason(reason)
    _ensure_can_act_on_member(moderator, member)
    _require(moderator, "comments.change_comment", "threads.change_thread")
    comments = Comment.objects.select_for_update().filter(author=member, is_hidden=False)
    threads = Thread.objects.select_for_update().filter(author=member, is_hidden=False)
    comment_ids = sorted(comments.values_list("pk", flat=True))
    thread_ids = sorted(threads.values_list("pk", flat=True))
    Comment.objects.filter(pk__in=comment_ids).update(is_hidden=True)
    Thread.objects.filter(pk__in=thread_ids).update(is_hidden=True)
    recount_boards(*Thread.objects.filter(pk__in=thread_ids).values_list("board", flat=True))
    _log(
        moderator=moderator,
        action=Action.HIDE_ALL,
        item=member,
        reason=reason,
        before={"visible_comments": len(comment_ids), "visible_threads": len(thread_ids)},
        after={
            "hidden_comments": len(comment_ids),
            "hidden_threads": len(thread_ids),
            "comment_ids": comment_ids,
            "thread_ids": thread_ids,
        },
    )
    return len(comment_ids), len(thread_ids)


# --- Authors correcting their threads --------------------------------------------------------


@transaction.atomic
def edit_own_thread(*, thread, author, title, episode_position=None):
    """The thread's author corrects its title and may raise (never lower) its spoiler
    episode; its opening post follows and its other comments rise with it, as with a
    moderator's re-tag. One AUTHOR_EDIT entry (the author as who acted), and the
    authors of the comments that rose are told. Raises PostingRefused with the reason
    (not the author, banned, a locked or hidden thread). Returns whether anything
    changed."""
    ensure_can_edit_thread(author, thread)
    current = _locked(thread)
    title_before, change = edit_thread(
        thread=current, editor=author, title=title, spoils_episode=episode_position
    )
    if title_before is None and change is None:
        return False
    thread.title = current.title
    thread.spoils_episode_id = current.spoils_episode_id
    before, after = _level_fields(change) if change is not None else ({}, {})
    if title_before is not None:
        before["title"], after["title"] = title_before, current.title
    _log(moderator=author, action=Action.AUTHOR_EDIT, item=thread, before=before, after=after)
    if change is not None:
        notify_level_change(change=change, cause=Cause.AUTHOR, actor=author)
    return True


# --- Spoiler guards --------------------------------------------------------------------------


def guard_threshold():
    return getattr(settings, "SPOILER_GUARD_UPHELD_REPORTS", 5)


def upheld_spoiler_reports_by(member_ref):
    """``member_ref``'s "spoiler without a tag" reports that moderators upheld."""
    return Report.objects.filter(
        reporter=member_ref, reason=Report.Reason.SPOILER, status=Report.Status.RESOLVED
    )


def _grant_earned_guard_roles(member_pks):
    """Make spoiler guards of those among ``member_pks`` whose upheld spoiler reports
    reached the threshold and who never held the role (a revoked role stays revoked).
    Two queries, and one log entry per member granted."""
    threshold = guard_threshold()
    if threshold <= 0:
        return []
    User = get_user_model()
    earned = list(
        User.objects.filter(pk__in=member_pks, spoiler_guard=User.GuardRole.NONE, is_active=True)
        .annotate(
            upheld=Count(
                "reports_made",
                filter=Q(
                    reports_made__reason=Report.Reason.SPOILER,
                    reports_made__status=Report.Status.RESOLVED,
                ),
            )
        )
        .filter(upheld__gte=threshold)
    )
    for member in earned:
        User.objects.filter(pk=member.pk).update(spoiler_guard=User.GuardRole.GUARD)
        _log(
            moderator=None,
            action=Action.GUARD_GRANT,
            item=member,
            reason=_("%(count)d spoiler reports upheld.") % {"count": member.upheld},
            before={"spoiler_guard": member.spoiler_guard},
            after={"spoiler_guard": User.GuardRole.GUARD.value},
        )
    return earned


def _set_guard_role(*, member, moderator, role, action, reason):
    _ensure_can_act_on_member(moderator, member)
    current = _locked(member)
    if current.spoiler_guard == role:
        return False
    get_user_model().objects.filter(pk=member.pk).update(spoiler_guard=role)
    member.spoiler_guard = role
    _log(
        moderator=moderator,
        action=action,
        item=member,
        reason=reason,
        before={"spoiler_guard": current.spoiler_guard},
        after={"spoiler_guard": role},
    )
    return True


@transaction.atomic
def revoke_guard(*, member, moderator, reason=""):
    """Take the spoiler guard role away. It is not granted again automatically, however
    many more of their reports are upheld; a moderator may grant it again."""
    if not get_user_model().objects.get(pk=member.pk).is_spoiler_guard:
        return False
    return _set_guard_role(
        member=member,
        moderator=moderator,
        role=get_user_model().GuardRole.REVOKED,
        action=Action.GUARD_REVOKE,
        reason=reason,
    )


@transaction.atomic
def grant_guard(*, member, moderator, reason=""):
    """Make a member a spoiler guard by hand (or give back a revoked role)."""
    return _set_guard_role(
        member=member,
        moderator=moderator,
        role=get_user_model().GuardRole.GUARD,
        action=Action.GUARD_GRANT,
        reason=reason,
    )


@transaction.atomic
def guard_raise_item(*, item, guard, episode_position, reason=""):
    """A spoiler guard raises the episode a comment or thread spoils up to, never
    lowers it. A thread carries its comments as any raise does. One GUARD_RAISE
    entry (the guard as who acted; for a thread, the carried comments' earlier levels,
    so a moderator can undo it: ``undo_guard_raise``); the authors are told.

    Raises PostingRefused with the reason: not a guard, banned, not a raise."""
    ensure_can_guard(guard)
    if not isinstance(item, Comment | Thread):
        raise TypeError(f"Only comments and threads have a spoiler episode, not {item!r}.")
    _ensure_episode(episode_position)
    current = _locked(item)
    if episode_position is None or (current.spoils_episode_id or 0) >= episode_position:
        raise PostingRefused(
            _(
                "Spoiler guards can only raise the spoiler episode: choose an episode after "
                "%(current)s."
            )
            % {"current": _episode_words(current.spoils_episode_id)}
        )
    change = _set_level(current, episode_position)
    item.spoils_episode_id = episode_position
    carried = {"carried_comments": _levels_by_value(change.carried)} if change.carried else {}
    _record_level_change(
        item,
        change,
        actor=guard,
        action=Action.GUARD_RAISE,
        cause=Cause.GUARD,
        reason=reason,
        before_extra=carried,
    )
    notify_moderation(
        item=item,
        action=Notification.ModerationAction.RETAGGED,
        reason=reason,
        level=episode_position,
    )
    return change


def _episode_words(level):
    return _("episode %(n)s") % {"n": level} if level else _("no spoilers")


def _levels_by_value(carried):
    """``{"3": [pks], "none": [pks]}``: the carried comments' levels before, grouped so
    an undo takes one UPDATE per level whatever the number of comments."""
    grouped = {}
    for pk, (_author, level) in sorted(carried.items()):
        grouped.setdefault("none" if level is None else str(level), []).append(pk)
    return grouped


def guard_raise_undone(entry):
    """Whether a GUARD_RAISE entry has been undone already."""
    return (
        ModerationLog.objects.filter(
            action=Action.GUARD_UNDO, target_type=entry.target_type, target_id=entry.target_id
        )
        .filter(before__undoes=entry.pk)
        .exists()
    )


@transaction.atomic
def undo_guard_raise(*, entry, moderator, reason=""):
    """Put back the level a spoiler guard's raise (a GUARD_RAISE log entry) replaced:
    the item's, its opening post's and, for a thread, the levels of the comments that
    rose with it and have not changed since. One GUARD_UNDO entry; the authors are
    told. Refused (ValidationError) when the item has changed level since, or the
    entry was undone already."""
    if entry.action != Action.GUARD_RAISE:
        raise ValidationError(_("Only a spoiler guard's change can be undone this way."))
    model, perm = {
        "comment": (Comment, "comments.change_comment"),
        "thread": (Thread, "threads.change_thread"),
    }[entry.target_type]
    _require(moderator, perm)
    item = model.objects.filter(pk=entry.target_id).first()
    if item is None:
        raise ValidationError(_("The post no longer exists."))
    current = _locked(item)
    if guard_raise_undone(entry):
        raise ValidationError(_("This change has been undone already."))
    raised_to = entry.after["spoils_episode"]
    if current.spoils_episode_id != raised_to:
        raise ValidationError(
            _(
                "The post's spoiler episode has changed since (it is now %(now)s): "
                "change it with “Change the spoiler episode…” instead."
            )
            % {"now": _episode_words(current.spoils_episode_id)}
        )
    previous = entry.before["spoils_episode"]
    restored = 0
    for level, pks in (entry.before.get("carried_comments") or {}).items():
        restored += Comment.objects.filter(
            pk__in=pks, thread=current, spoils_episode_id=raised_to
        ).update(spoils_episode_id=None if level == "none" else int(level))
    change = _set_level(current, previous)
    before = {"spoils_episode": raised_to, "undoes": entry.pk}
    after = {"spoils_episode": previous, "comments_restored": restored}
    _log(
        moderator=moderator,
        action=Action.GUARD_UNDO,
        item=current,
        reason=reason,
        before=before,
        after=after,
    )
    if change is not None:
        notify_level_change(
            change=change,
            cause=Cause.MODERATOR,
            actor=moderator,
            reason=reason or _("A moderator undid a spoiler guard's change."),
        )
    return True
