"""Writing notifications and follows.

The fan-out (:func:`notify_about_comment`) runs in a task (``tasks.py``) after the
post's transaction commits: it works out who hears about the post and writes their
lines in a few bulk statements, whatever their number. Each person gets at most one
line per post, of the first kind that applies to them:

1. ``mention``      named with ``@username`` (outside quotes; at most
                    ``MENTIONS_NOTIFIED`` per post, ``MENTIONS_NOTIFIED_BY_NEW_MEMBERS``
                    from new members);
2. ``quote``        the author of a comment the post quotes;
3. ``reply``        the author of the comment answered or, for a comment on the
                    thread itself, the thread's author;
4. ``new_comment``  following the thread;
5. ``new_thread``   following the board (for a new thread's opening post).

Nobody hears about their own post, banned and deactivated members hear nothing,
and a post hidden or removed before the task runs notifies nobody.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.comments.services import quoted_comment_pks
from fansite.emails.models import EmailMode
from fansite.emails.preferences import email_modes
from fansite.threads.models import Board, Thread
from fansite.users.standing import new_member_until

from . import state
from .mentions import MENTIONS_NOTIFIED, MENTIONS_NOTIFIED_BY_NEW_MEMBERS, mentioned_keys
from .models import FanOut, Follow, Notification, NotificationSettings

Kind = Notification.Kind


# --- Following -------------------------------------------------------------------------------


def _target_fields(target):
    return {"board": target} if isinstance(target, Board) else {"thread": target}


@transaction.atomic
def follow(*, member, target):
    """``member`` follows a thread or a board (again, if they had unfollowed it)."""
    fields = _target_fields(target)
    Follow.objects.update_or_create(member=member, **fields, defaults={"is_muted": False})
    state.forget_follows(member.pk)


@transaction.atomic
def unfollow(*, member, target):
    """``member`` stops following a thread or a board. The row stays, muted, so that
    posting in the thread again does not follow it automatically."""
    fields = _target_fields(target)
    Follow.objects.update_or_create(member=member, **fields, defaults={"is_muted": True})
    state.forget_follows(member.pk)


def follows_threads_posted_in(member):
    return (
        NotificationSettings.objects.filter(member=member)
        .values_list("follow_threads_posted_in", flat=True)
        .first()
        is not False
    )


@transaction.atomic
def set_follow_threads_posted_in(*, member, value):
    NotificationSettings.objects.update_or_create(
        member=member, defaults={"follow_threads_posted_in": value}
    )


def _auto_follow(member, thread):
    """Posting in a thread follows it, unless the member turned that off or had
    unfollowed this thread (their explicit choice wins)."""
    if member is None or not follows_threads_posted_in(member):
        return
    created = Follow.objects.bulk_create(
        [Follow(member=member, thread=thread)], ignore_conflicts=True
    )
    if created:
        state.forget_follows(member.pk)


# --- Reading ---------------------------------------------------------------------------------


@transaction.atomic
def mark_read(*, member, pk):
    """Mark one of ``member``'s lines read (someone else's: nothing happens)."""
    changed = (
        Notification.objects.unread().filter(recipient=member, pk=pk).update(read_at=timezone.now())
    )
    if changed:
        state.forget_unread([member.pk])
    return changed


@transaction.atomic
def mark_all_read(*, member):
    changed = Notification.objects.unread().filter(recipient=member).update(read_at=timezone.now())
    if changed:
        state.forget_unread([member.pk])
    return changed


# --- The fan-out -----------------------------------------------------------------------------


def _is_opening_post(comment):
    first = (
        Comment.objects.filter(thread_id=comment.thread_id)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return first == comment.pk


def _mentioned(comment):
    limit = (
        MENTIONS_NOTIFIED_BY_NEW_MEMBERS
        if comment.author is not None and new_member_until(comment.author)
        else MENTIONS_NOTIFIED
    )
    keys = mentioned_keys(comment.body_html, limit=limit)
    if not keys:
        return []
    return list(get_user_model().objects.filter(username_key__in=keys).values_list("pk", flat=True))


def _recipients(comment, is_opening):
    """``{member pk: kind}``: who hears about ``comment``, each once, by priority."""
    kinds = {}

    def offer(pks, kind):
        for pk in pks:
            if pk is not None:
                kinds.setdefault(pk, kind)

    offer(_mentioned(comment), Kind.MENTION)
    quoted = quoted_comment_pks(comment.body)
    if quoted:
        offer(
            Comment.objects.filter(pk__in=quoted).values_list("author_id", flat=True),
            Kind.QUOTE,
        )
    answered = comment.reply_to or comment.parent
    if answered is not None:
        offer([answered.author_id], Kind.REPLY)
    elif comment.thread_id is not None and not is_opening:
        offer([comment.thread.author_id], Kind.REPLY)
    if comment.thread_id is None:
        pass  # an article's comments: nobody follows an article
    elif is_opening:
        followers = Follow.objects.active().filter(board_id=comment.thread.board_id)
        offer(followers.values_list("member_id", flat=True), Kind.NEW_THREAD)
    else:
        followers = Follow.objects.active().filter(thread_id=comment.thread_id)
        offer(followers.values_list("member_id", flat=True), Kind.NEW_COMMENT)
    kinds.pop(comment.author_id, None)
    if not kinds:
        return kinds
    now = timezone.now()
    may_hear = (
        get_user_model()
        .objects.filter(pk__in=list(kinds), is_active=True)
        .filter(Q(banned_until__isnull=True) | Q(banned_until__lte=now))
        .values_list("pk", flat=True)
    )
    allowed = set(may_hear)
    return {pk: kind for pk, kind in kinds.items() if pk in allowed}


def _write_lines(comment, kinds):
    """One line per recipient, grouped with their unread line of the same kind about
    the same thread (the board, for new threads): a few statements per kind."""
    now = timezone.now()
    thread = comment.thread
    by_kind = {}
    for pk, kind in kinds.items():
        by_kind.setdefault(kind, []).append(pk)
    for kind, pks in by_kind.items():
        if thread is None:
            group = f"article:{comment.article_id}"
        elif kind == Kind.NEW_THREAD:
            group = f"board:{thread.board_id}"
        else:
            group = f"thread:{thread.pk}"
        unread = Notification.objects.unread().filter(kind=kind, group=group)
        grouped = set(unread.filter(recipient_id__in=pks).values_list("recipient_id", flat=True))
        if grouped:
            unread.filter(recipient_id__in=grouped).update(
                count=F("count") + 1,
                comment=comment,
                actor=comment.author,
                updated_at=now,
            )
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    kind=kind,
                    group=group,
                    actor=comment.author,
                    thread=thread,
                    article_id=comment.article_id,
                    comment=comment,
                    board_id=thread.board_id if thread is not None else None,
                    created_at=now,
                    updated_at=now,
                )
                for pk in pks
                if pk not in grouped
            ],
            # A line written meanwhile by another post's task: this event joins nothing,
            # which only undercounts.
            ignore_conflicts=True,
        )
    state.forget_unread(kinds)


@transaction.atomic
def notify_about_comment(comment_pk):
    """Write the notifications for one post, once: the first run marks the comment
    (``FanOut``) in the same transaction as its lines, so a second run, or a run
    after a worker died half-way (its transaction rolled back), cannot write twice.
    Returns how many members were notified, or None when it had been done."""
    comment = (
        Comment.objects.select_related("thread", "article", "author", "parent", "reply_to")
        .filter(pk=comment_pk)
        .first()
    )
    if comment is None:
        return 0
    try:
        with transaction.atomic():
            FanOut.objects.create(comment_id=comment_pk)
    except IntegrityError:
        return None
    is_opening = comment.thread_id is not None and _is_opening_post(comment)
    if comment.thread_id is not None:
        _auto_follow(comment.author, comment.thread)
    if not comment.is_shown:
        FanOut.objects.filter(comment_id=comment_pk).update(emailed_at=timezone.now())
        return 0
    kinds = _recipients(comment, is_opening)
    email_to = {}
    if kinds:
        _write_lines(comment, kinds)
        email_to = _wanting_email(kinds)
    FanOut.objects.filter(comment_id=comment_pk).update(
        recipients=len(kinds),
        email_to={str(pk): kind for pk, kind in email_to.items()},
        emailed_at=None if email_to else timezone.now(),
    )
    if email_to:
        from .tasks import email_about_comment

        transaction.on_commit(lambda: email_about_comment.enqueue(comment_pk), robust=True)
    return len(kinds)


def _wanting_email(kinds):
    """The part of ``{member pk: kind}`` that wants an email about it at once (a query
    per kind). Whether they may receive email is checked when it is written."""
    by_kind = {}
    for pk, kind in kinds.items():
        by_kind.setdefault(kind, []).append(pk)
    wanting = {}
    for kind, pks in by_kind.items():
        for pk, mode in email_modes(pks, kind).items():
            if mode == EmailMode.IMMEDIATE:
                wanting[pk] = kind
    return wanting


# --- Lost tasks ----------------------------------------------------------------------------

# Older posts are left alone: news a day late is no news.
SWEEP_WINDOW = timedelta(days=1)


def overdue():
    """How old a post without its FanOut mark (or its emails) must be before the sweep
    decides no task is coming for it (the worker was killed while writing, or the task
    could not be enqueued): ``NOTIFICATION_REQUEUE_AFTER`` seconds."""
    return timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER)


def unemailed(*, now=None):
    """``(comment pks, notice pks)``: posts and moderators' notices from between
    ``SWEEP_WINDOW`` and ``overdue()`` ago whose emails were never written."""
    now = now or timezone.now()
    window = {"gte": now - SWEEP_WINDOW, "lte": now - overdue()}
    comments = FanOut.objects.filter(
        emailed_at__isnull=True, done_at__gte=window["gte"], done_at__lte=window["lte"]
    )
    notices = Notification.objects.filter(
        kind=Kind.MODERATION,
        email_checked_at__isnull=True,
        created_at__gte=window["gte"],
        created_at__lte=window["lte"],
    )
    return (
        list(comments.order_by("pk").values_list("comment_id", flat=True)),
        list(notices.order_by("pk").values_list("pk", flat=True)),
    )


def unnotified_comment_pks(*, now=None):
    """Comments posted between ``SWEEP_WINDOW`` and ``overdue()`` ago whose
    notifications were never written."""
    now = now or timezone.now()
    return list(
        Comment.objects.filter(
            created_at__gte=now - SWEEP_WINDOW,
            created_at__lte=now - overdue(),
        )
        .exclude(pk__in=FanOut.objects.values("comment_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Moderation ------------------------------------------------------------------------------


def notify_moderation(*, item, action, reason="", level=None):
    """Tell the author of a thread or comment that moderators acted on it: one line
    per event, never grouped. Call it inside the moderation's transaction."""
    if not isinstance(item, Comment | Thread):
        return
    author_pk = item.author_id
    if author_pk is None:
        return
    is_comment = isinstance(item, Comment)
    thread_pk = item.thread_id if is_comment else item.pk
    if action in (Notification.ModerationAction.HIDDEN, Notification.ModerationAction.RESTORED):
        # Lines about hidden content leave the centre (and come back): so do their counts.
        about = Q(comment=item) if is_comment else Q(thread=item)
        state.forget_unread(
            set(Notification.objects.unread().filter(about).values_list("recipient_id", flat=True))
        )
    notice = Notification.objects.create(
        recipient_id=author_pk,
        kind=Kind.MODERATION,
        thread_id=thread_pk,
        article_id=item.article_id if is_comment else None,
        comment=item if is_comment else None,
        board_id=None if is_comment else item.board_id,
        moderation_action=action,
        reason=reason,
        level=level,
    )
    state.forget_unread([author_pk])
    from .tasks import email_about_moderation

    transaction.on_commit(lambda: email_about_moderation.enqueue(notice.pk), robust=True)
