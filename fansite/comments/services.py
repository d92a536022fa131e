"""Writing comments: posting, replying, editing and removing.

Every write goes through these functions (views, admin actions and management
commands alike), so the posting rules and the denormalised counters cannot be
bypassed. Counters are updated with F() so concurrent posts never lose counts.

The posting rules: members only, not banned or deactivated, not into a locked
thread; new members (younger than ``settings.NEW_ACCOUNT_PERIOD``) post no links
unless ``NEW_ACCOUNT_ALLOW_LINKS``; and nobody posts the same text twice within
``settings.DUPLICATE_POST_WINDOW``. Rate limits, which need the request (the
client address), are checked by the views: see ``fansite.core.ratelimits``.
"""

import re
from http import HTTPStatus

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fansite.core.markdown import render_markdown

from .models import Comment, CommentRevision, body_fingerprint

_LINK_RE = re.compile(r"<a[\s>]")


class PostingRefused(Exception):
    """A write the member may not make; the message says why, for the member.

    ``status`` is the HTTP status a view answers with (subclasses such as
    ``fansite.core.ratelimits.RateLimited`` use 429).
    """

    status = HTTPStatus.FORBIDDEN

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def ban_end(user):
    """When a banned member's ban ends, formatted for them; None if it is permanent."""
    if user.is_banned_permanently:
        return None
    return date_format(timezone.localtime(user.banned_until), "DATETIME_FORMAT")


def ban_reason(user):
    """ " Reason: <reason>", or nothing when moderators gave none."""
    if not user.ban_reason:
        return ""
    return " " + _("Reason: %(reason)s") % {"reason": user.ban_reason}


def describe_ban(user):
    """ "You are banned from posting until <date>. Reason: <reason>" for a banned member."""
    when = ban_end(user)
    if when is None:
        message = _("You are banned from posting permanently.")
    else:
        message = _("You are banned from posting until %(when)s.") % {"when": when}
    return message + ban_reason(user)


def ensure_can_post(user, target=None):
    """Raise PostingRefused unless ``user`` may write (into ``target``, if given)."""
    if user is None or not user.is_authenticated:
        raise PostingRefused(_("Log in to post. Your text is kept in the form."))
    if not user.is_active:
        raise PostingRefused(_("This account is deactivated and cannot post."))
    if user.is_banned:
        raise PostingRefused(describe_ban(user))
    thread = getattr(target, "thread", None) if isinstance(target, Comment) else target
    if getattr(thread, "is_hidden", False):
        raise PostingRefused(_("This thread has been hidden by moderators: it takes no comments."))
    if getattr(thread, "is_locked", False):
        raise PostingRefused(_("This thread is locked: it takes no new comments."))


# --- New members ----------------------------------------------------------------


def new_member_until(user):
    """When ``user`` stops being a new member, or None if they are not one (any more).

    Staff are never new members: they may need to post links from their first hour.
    """
    period = settings.NEW_ACCOUNT_PERIOD
    if not period or user.is_staff:
        return None
    until = user.date_joined + period
    return until if until > timezone.now() else None


def contains_link(body):
    """Whether ``body`` renders with a link: ``[text](url)``, ``<url>`` autolinks,
    ``<name@example.org>``, and images (untrusted images render as links). Bare
    addresses such as ``example.com`` stay plain text in our renderer, so they are
    not links here either."""
    return _LINK_RE.search(render_markdown(body)) is not None


def ensure_allowed_content(author, body):
    """Refuse links from new members (unless ``NEW_ACCOUNT_ALLOW_LINKS``)."""
    if settings.NEW_ACCOUNT_ALLOW_LINKS:
        return
    until = new_member_until(author)
    if until is None or not contains_link(body):
        return
    from fansite.core.ratelimits import wait_text

    raise PostingRefused(
        _(
            "New members can post links once their account is %(age)s old. Remove the "
            "link, or try again in %(wait)s."
        )
        % {
            "age": wait_text(settings.NEW_ACCOUNT_PERIOD.total_seconds()),
            "wait": wait_text((until - timezone.now()).total_seconds()),
        }
    )


# --- Duplicates -----------------------------------------------------------------


def ensure_not_duplicate(author, body):
    """Refuse a post whose text the author already posted, anywhere, within
    ``settings.DUPLICATE_POST_WINDOW`` (a double click, or the same message sprayed
    across threads). Texts that differ only in whitespace count as the same; posts
    the author removed do not count. One indexed lookup, however much they post."""
    window = settings.DUPLICATE_POST_WINDOW
    if not window:
        return
    now = timezone.now()
    created_at = (
        Comment.objects.filter(
            author=author,
            body_fingerprint=body_fingerprint(body),
            created_at__gt=now - window,
            is_removed=False,
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if created_at is not None:
        from fansite.core.ratelimits import wait_text

        raise PostingRefused(
            _(
                "You already posted exactly this text %(ago)s ago. To post it again, "
                "change it or wait %(wait)s."
            )
            % {
                "ago": wait_text((now - created_at).total_seconds()),
                "wait": wait_text((created_at + window - now).total_seconds()),
            }
        )


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

    # Only ever forward: on PostgreSQL two comments posted at once can reach the
    # thread row in the other order, and the earlier time must not win.
    posted_at = Value(comment.created_at, output_field=DateTimeField())
    thread_updates = {
        "last_activity_at": Greatest(Coalesce("last_activity_at", posted_at), posted_at)
    }
    if is_reply:
        thread_updates["reply_count"] = F("reply_count") + 1
    Thread.objects.filter(pk=comment.thread_id).update(**thread_updates)
    Board.objects.filter(threads=comment.thread_id).update(
        post_count=F("post_count") + 1,
        last_activity_at=Greatest(Coalesce("last_activity_at", posted_at), posted_at),
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
    ensure_allowed_content(author, body)
    ensure_not_duplicate(author, body)
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
    if body != comment.body:
        ensure_allowed_content(editor, body)
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
