"""Telling members when someone else changed the spoiler episode of what they wrote.

A moderator's re-tag, a spoiler guard's raise, or a thread's author raising their
thread (which carries the comments in it) leaves one ``LevelChangeNotice`` per
author per change: not per comment. The member sees it once, as a message on their
next page (``deliver_pending``, run by ``middleware.LevelChangeNoticeMiddleware``),
and in a short list on their own profile.

A notice obeys the spoiler gate for its recipient. Its text is built when it is
shown (``describe``), for that reader: it names the episodes, the board and the
reason, and a thread's title only when the thread spoils nothing beyond the
recipient's progress. A commenter at episode 3 whose comment rose because the
thread went to episode 12 is told so without learning the thread's title.

Whether a member has notices waiting is a counter on the member
(``User.unseen_notices``), read with the member on every request anyway, so
pages without notices cost no query.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fansite.comments.models import Comment
from fansite.threads.models import Thread

from .models import LevelChangeNotice

Cause = LevelChangeNotice.Cause

# At most this many notices become messages on one page; the rest follow on the next.
MESSAGES_PER_PAGE = 5
# How many notices the member's profile lists.
PROFILE_NOTICES = 10


def notify_level_change(*, change, cause, actor=None, reason=""):
    """Leave a notice for every author whose post ``change`` (a
    ``comments.services.LevelChange``) moved, except ``actor``: one per author,
    however many of their comments rose with a thread. Two queries in all."""
    item = change.item
    actor_pk = getattr(actor, "pk", None)
    reason = (reason or "").strip()[:300]
    common = {"cause": cause, "level_before": change.before, "level_after": change.after}
    common["reason"] = reason
    notices = {}
    if isinstance(item, Thread):
        carried = change.carried_by_author
        first_carried = {}
        for pk in sorted(change.carried):
            first_carried.setdefault(change.carried[pk][0], pk)
        owner = item.author_id
        if owner is not None:
            notices[owner] = LevelChangeNotice(
                recipient_id=owner, thread=item, comment_count=carried.pop(owner, 0), **common
            )
        for author_pk, count in carried.items():
            notices[author_pk] = LevelChangeNotice(
                recipient_id=author_pk,
                comment_id=first_carried[author_pk],
                comment_count=count,
                **common,
            )
    elif isinstance(item, Comment) and item.author_id is not None:
        notices[item.author_id] = LevelChangeNotice(
            recipient_id=item.author_id, comment=item, **common
        )
    notices.pop(actor_pk, None)
    if not notices:
        return []
    created = LevelChangeNotice.objects.bulk_create(notices.values())
    get_user_model().objects.filter(pk__in=notices).update(unseen_notices=F("unseen_notices") + 1)
    return created


def _episode(level):
    if not level:
        return _("no spoilers")
    return _("episode %(number)s") % {"number": level}


def _title_shown(thread, reader, level_after):
    """Whether the notice may name ``thread``: not when it (or the notice's new level)
    spoils beyond the reader."""
    return not reader.spoils(thread) and (level_after or 0) <= reader.progress


def _thread_words(thread, reader, level_after, *, own=False):
    """ "“Title” on the Episode 3 board", or only the board when the title is beyond
    the reader. ``own``: the reader's own thread ("your thread …")."""
    values = {"board": thread.board.title, "title": thread.title}
    if _title_shown(thread, reader, level_after):
        if own:
            return _("your thread “%(title)s” on the %(board)s board") % values
        return _("“%(title)s” on the %(board)s board") % values
    if own:
        return _("your thread on the %(board)s board") % values
    return _("a thread on the %(board)s board") % values


def describe(notice, reader):
    """The notice's text for ``reader`` (its recipient): spoiler-safe, see the module."""
    who = notice.get_cause_display()
    before, after = _episode(notice.level_before), _episode(notice.level_after)
    values = {"who": who, "before": before, "after": after, "count": notice.comment_count}
    thread = notice.about_thread
    if thread is not None:
        values["thread"] = _thread_words(
            thread, reader, notice.level_after, own=bool(notice.thread_id)
        )
    if notice.thread_id:
        text = (
            _("%(who)s changed the spoiler episode of %(thread)s from %(before)s to %(after)s.")
            % values
        )
        if notice.comment_count:
            text += (
                " "
                + ngettext(
                    "%(count)d of your comments in it rose with it.",
                    "%(count)d of your comments in it rose with it.",
                    notice.comment_count,
                )
                % values
            )
    elif notice.comment_count:
        text = (
            ngettext(
                "%(who)s raised the spoiler episode of %(thread)s from %(before)s to %(after)s, "
                "so %(count)d of your comments in it now spoils up to %(after)s too.",
                "%(who)s raised the spoiler episode of %(thread)s from %(before)s to %(after)s, "
                "so %(count)d of your comments in it now spoil up to %(after)s too.",
                notice.comment_count,
            )
            % values
        )
    elif thread is not None:
        text = (
            _(
                "%(who)s changed the spoiler episode of your comment in %(thread)s from "
                "%(before)s to %(after)s."
            )
            % values
        )
    else:
        # Article titles are spoiler-free by editorial policy (docs/spoilers.md).
        values["article"] = notice.comment.article.title
        text = (
            _(
                "%(who)s changed the spoiler episode of your comment on the article "
                "“%(article)s” from %(before)s to %(after)s."
            )
            % values
        )
    text = text[:1].upper() + text[1:]
    if notice.reason:
        text += " " + _("Reason: %(reason)s") % {"reason": notice.reason}
    return text


def for_profile(member, reader):
    """The member's latest notices, each with its ``text`` for ``reader``: their own
    profile's list. One query."""
    notices = list(
        LevelChangeNotice.objects.filter(recipient=member).for_display()[:PROFILE_NOTICES]
    )
    for notice in notices:
        notice.text = describe(notice, reader)
    return notices


def deliver_pending(request, reader):
    """Turn the member's unseen notices into messages on this page and mark them seen.
    Nothing at all (no query) for a member without any."""
    user = request.user
    if not user.is_authenticated or not user.unseen_notices:
        return 0
    notices = list(
        LevelChangeNotice.objects.filter(recipient=user)
        .unseen()
        .for_display()
        .order_by("created_at", "pk")[:MESSAGES_PER_PAGE]
    )
    for notice in notices:
        messages.warning(request, describe(notice, reader), fail_silently=True)
    shown = len(notices)
    LevelChangeNotice.objects.filter(pk__in=[n.pk for n in notices]).update(seen_at=timezone.now())
    # The counter only says whether to look: set it to what is really left.
    left = LevelChangeNotice.objects.filter(recipient=user).unseen().count() if shown else 0
    get_user_model().objects.filter(pk=user.pk).update(unseen_notices=left)
    user.unseen_notices = left
    return shown
