"""A notification's line, written for the reader who is looking at it.

Nothing a line says is stored: it is written at view time from the thread, the
comment and the reader's progress *now*, so a member who catches up sees what was
held back, and nobody ever reads a title or text beyond their progress. A line
about something that spoils beyond the reader's progress says only who did what,
on which board, and the gate's label ("Ji-ho replied in a thread on the Episode 9
board — spoiler for episode 9"); otherwise it names the thread and shows the start
of the comment as plain text, inline spoilers as "[spoiler]".
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fansite.spoilers.levels import gate_label
from fansite.web.markdown import excerpt

from .models import Notification

Kind = Notification.Kind
SNIPPET_LENGTH = 160


@dataclass(frozen=True)
class Line:
    notification: Notification
    text: str
    snippet: str
    url: str
    gate: str  # the gate's label, or "" when nothing is held back

    @property
    def is_unread(self):
        return self.notification.is_unread

    @property
    def followed_thread(self):
        """The thread a "new comment" line comes from (the line offers to unfollow it)."""
        if self.notification.kind == Kind.NEW_COMMENT:
            return self.notification.thread
        return None

    @property
    def followed_board(self):
        """The board a "new thread" line comes from (the line offers to unfollow it)."""
        if self.notification.kind == Kind.NEW_THREAD:
            return self.notification.board
        return None


def _name(member):
    return member.public_name if member is not None else _("A former member")


def _gate(reader, notification):
    """The label of the furthest-spoiling item the line is about that the reader has
    not reached, or ""."""
    spoiling = [
        item
        for item in (notification.thread, notification.article, notification.comment)
        if item is not None and reader.spoils(item)
    ]
    if not spoiling:
        return ""
    return gate_label(max(spoiling, key=lambda item: item.spoiler_level))


_OPEN = {
    # kind: (one event, several events) naming the thread
    Kind.REPLY: (
        lambda: _("%(actor)s replied to you in “%(title)s”"),
        lambda n: ngettext(
            "%(count)s new reply to you in “%(title)s”",
            "%(count)s new replies to you in “%(title)s”",
            n,
        ),
    ),
    Kind.QUOTE: (
        lambda: _("%(actor)s quoted you in “%(title)s”"),
        lambda n: ngettext(
            "%(count)s new quote of you in “%(title)s”",
            "%(count)s new quotes of you in “%(title)s”",
            n,
        ),
    ),
    Kind.MENTION: (
        lambda: _("%(actor)s mentioned you in “%(title)s”"),
        lambda n: ngettext(
            "%(count)s new mention of you in “%(title)s”",
            "%(count)s new mentions of you in “%(title)s”",
            n,
        ),
    ),
    Kind.NEW_COMMENT: (
        lambda: _("%(actor)s commented in “%(title)s”"),
        lambda n: ngettext(
            "%(count)s new comment in “%(title)s”",
            "%(count)s new comments in “%(title)s”",
            n,
        ),
    ),
    Kind.NEW_THREAD: (
        lambda: _("%(actor)s started “%(title)s” on the %(board)s board"),
        lambda n: ngettext(
            "%(count)s new thread on the %(board)s board, the latest “%(title)s”",
            "%(count)s new threads on the %(board)s board, the latest “%(title)s”",
            n,
        ),
    ),
}

_GATED = {
    # kind: (one event, several events) naming only the board
    Kind.REPLY: (
        lambda: _("%(actor)s replied in %(place)s"),
        lambda n: ngettext(
            "%(count)s new reply in %(place)s",
            "%(count)s new replies in %(place)s",
            n,
        ),
    ),
    Kind.QUOTE: (
        lambda: _("%(actor)s quoted you in %(place)s"),
        lambda n: ngettext(
            "%(count)s new quote of you in %(place)s",
            "%(count)s new quotes of you in %(place)s",
            n,
        ),
    ),
    Kind.MENTION: (
        lambda: _("%(actor)s mentioned you in %(place)s"),
        lambda n: ngettext(
            "%(count)s new mention of you in %(place)s",
            "%(count)s new mentions of you in %(place)s",
            n,
        ),
    ),
    Kind.NEW_COMMENT: (
        lambda: _("%(actor)s commented in %(place)s"),
        lambda n: ngettext(
            "%(count)s new comment in %(place)s",
            "%(count)s new comments in %(place)s",
            n,
        ),
    ),
    Kind.NEW_THREAD: (
        lambda: _("%(actor)s started a thread on the %(board)s board"),
        lambda n: ngettext(
            "%(count)s new thread on the %(board)s board",
            "%(count)s new threads on the %(board)s board",
            n,
        ),
    ),
}


def _moderation_text(notification, gate, values):
    action = notification.moderation_action
    what = _("your comment") if notification.comment_id else _("your thread")
    where = (_("in %(place)s") if gate else _("in “%(title)s”")) % values
    if notification.comment_id is None:
        where = _("on the %(board)s board") % values if gate else _("“%(title)s”") % values
    if action == Notification.ModerationAction.HIDDEN:
        text = _("Moderators hid %(what)s %(where)s.")
    elif action == Notification.ModerationAction.RESTORED:
        text = _("Moderators restored %(what)s %(where)s.")
    # Re-tags come from moderators or spoiler guards: the line does not say which.
    elif notification.level:
        text = _("%(What)s %(where)s is now marked as spoiling up to episode %(level)s.")
    else:
        text = _("%(What)s %(where)s is now marked as spoiling nothing.")
    text %= {
        "what": what,
        "What": what[:1].upper() + what[1:],
        "where": where,
        "level": notification.level,
    }
    if notification.reason and not gate:
        text += " " + _("Reason: %(reason)s") % {"reason": notification.reason}
    elif notification.reason:
        # A moderator's reason about spoiling content may name what it spoils.
        text += " " + _("The reason shows once you have watched that far.")
    return text


def describe(notification, reader, *, snippet_length=SNIPPET_LENGTH):
    """The line ``notification`` shows to ``reader`` (a Reader for its recipient), with
    at most ``snippet_length`` characters of the comment."""
    thread = notification.thread
    article = notification.article
    comment = notification.comment
    board = notification.board or (thread.board if thread is not None else None)
    gate = _gate(reader, notification)
    values = {
        "actor": _name(notification.actor),
        "count": notification.count,
        "board": board.title if board is not None else "",
        "title": (article or thread).title if (article or thread) is not None else "",
        "place": (
            _("the comments on an article")
            if article is not None
            else _("a thread on the %(board)s board") % {"board": board.title if board else ""}
        ),
    }
    if notification.kind == Kind.MODERATION:
        text = _moderation_text(notification, gate, values)
        snippet = ""
    else:
        one, several = (_GATED if gate else _OPEN)[notification.kind]
        text = (one() if notification.count == 1 else several(notification.count)) % values
        snippet = excerpt(comment.body, snippet_length) if comment and not gate else ""
    if comment is not None:
        url = comment.get_absolute_url()
    elif thread is not None:
        url = thread.get_absolute_url()
    else:
        url = ""
    if gate:
        text = _("%(text)s — %(label)s") % {"text": text, "label": gate.lower()}
    return Line(notification=notification, text=text, snippet=snippet, url=url, gate=gate)
