"""Writing comments: posting, replying, editing and removing.

Every write goes through these functions (views, admin actions and management
commands alike), so the posting rules and the denormalised counters cannot be
bypassed. Counters are updated with F() so concurrent posts never lose counts.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Comment, CommentRevision


class PostingRefused(Exception):
    """A write the member may not make; the message says why, for the member."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def ensure_can_post(user, target=None):
    """Raise PostingRefused unless ``user`` may write (into ``target``, if given)."""
    if user is None or not user.is_authenticated:
        raise PostingRefused(_("Log in to post. Your text is kept in the form."))
    if not user.is_active:
        raise PostingRefused(_("This account is deactivated and cannot post."))
    if user.is_banned:
        when = date_format(timezone.localtime(user.banned_until), "DATETIME_FORMAT")
        message = _("You are banned from posting until %(when)s.") % {"when": when}
        if user.ban_reason:
            message += " " + _("Reason: %(reason)s") % {"reason": user.ban_reason}
        raise PostingRefused(message)
    thread = getattr(target, "thread", None) if isinstance(target, Comment) else target
    if getattr(thread, "is_locked", False):
        raise PostingRefused(_("This thread is locked: it takes no new comments."))


def default_spoiler_level(target):
    """What a new post on ``target`` spoils unless its author says more."""
    return target.spoiler_level


def resolve_spoiler_level(target, chosen):
    """Authors may raise a post's spoiler level above the default, never lower it."""
    default = default_spoiler_level(target)
    if chosen is None:
        return default
    if default is None:
        return chosen
    return max(default, chosen)


def _target_fields(target):
    from fansite.threads.models import Thread

    return {"thread": target} if isinstance(target, Thread) else {"article": target}


def _record_activity(comment, *, is_reply):
    """Bump the counters and activity times that lists show."""
    if comment.thread_id is None:
        return
    from fansite.threads.models import Board, Thread

    thread_updates = {"last_activity_at": comment.created_at}
    if is_reply:
        thread_updates["reply_count"] = F("reply_count") + 1
    Thread.objects.filter(pk=comment.thread_id).update(**thread_updates)
    Board.objects.filter(threads=comment.thread_id).update(
        post_count=F("post_count") + 1, last_activity_at=comment.created_at
    )


def create_comment(*, target, author, body, spoils_episode=None, parent=None, is_reply=True):
    """Store a comment without the posting checks (callers have made them)."""
    reply_to = None
    if parent is not None:
        if parent.target != target:
            raise PostingRefused(_("You can only reply to a comment on the same page."))
        if parent.parent_id is not None:
            # One level of nesting: a reply to a reply joins the top comment's
            # replies and remembers whom it answers.
            reply_to, parent = parent, parent.parent
    comment = Comment(
        author=author,
        body=body,
        parent=parent,
        reply_to=reply_to,
        spoils_episode_id=resolve_spoiler_level(target, spoils_episode),
        **_target_fields(target),
    )
    comment.save()
    _record_activity(comment, is_reply=is_reply)
    return comment


@transaction.atomic
def post_comment(*, target, author, body, spoils_episode=None, parent=None):
    """Post a comment on an article or a thread, optionally replying to another."""
    ensure_can_post(author, target)
    return create_comment(
        target=target, author=author, body=body, spoils_episode=spoils_episode, parent=parent
    )


def ensure_can_edit(user, comment):
    if user is None or not user.is_authenticated or comment.author_id != user.pk:
        raise PostingRefused(_("Only the author can change this comment."))
    if comment.is_removed:
        raise PostingRefused(_("This comment has been removed."))
    if comment.is_hidden:
        raise PostingRefused(_("Moderators have hidden this comment; it cannot be changed."))
    ensure_can_post(user, comment.thread if comment.thread_id else None)


@transaction.atomic
def edit_comment(*, comment, editor, body, spoils_episode=None):
    """Change a comment's text, keeping the earlier version for moderators."""
    ensure_can_edit(editor, comment)
    if body == comment.body and spoils_episode in (None, comment.spoils_episode_id):
        return comment
    CommentRevision.objects.create(
        comment=comment,
        body=comment.body,
        spoils_episode_id=comment.spoils_episode_id,
        created_at=comment.edited_at or comment.created_at,
    )
    comment.body = body
    comment.spoils_episode_id = resolve_spoiler_level(
        comment.target, spoils_episode or comment.spoils_episode_id
    )
    comment.edited_at = timezone.now()
    comment.save()
    return comment


@transaction.atomic
def remove_comment(*, comment, user):
    """The author withdraws a comment. Its place stays as “comment removed”, so
    replies keep their context; moderators can still read the text."""
    ensure_can_edit(user, comment)
    comment.is_removed = True
    comment.save(update_fields=["is_removed"])
    return comment
