"""A member's standing: may this member post, and if not, why and until when.

Every write a member makes asks here first (comments, threads, profiles,
reports), so the rules live in one place:

- visitors must log in; deactivated accounts and banned members may not post;
- new members (younger than ``settings.NEW_ACCOUNT_PERIOD``) post no links
  unless ``NEW_ACCOUNT_ALLOW_LINKS``; how many threads they may start a day is
  counted by ``fansite.threads.services.ensure_can_start_thread``;
- banned members keep reading and setting their progress, but cannot change
  how they appear to others.

Refusals raise :class:`PostingRefused`, whose message tells the member why and
what they can do. Rules about *where* (a locked or hidden thread) belong to
the thing written to: see ``fansite.comments.services.ensure_can_comment``.
"""

import re

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fansite.web.markdown import render_markdown
from fansite.web.ratelimits import wait_text
from fansite.web.refusals import Refused

_LINK_RE = re.compile(r"<a[\s>]")


class PostingRefused(Refused):
    """A write the member may not make; the message says why, for the member."""


# --- Bans -----------------------------------------------------------------------


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


def ensure_can_post(user):
    """Raise PostingRefused unless ``user`` may write at all."""
    if user is None or not user.is_authenticated:
        raise PostingRefused(_("Log in to post. Your text is kept in the form."))
    if not user.is_active:
        raise PostingRefused(_("This account is deactivated and cannot post."))
    if user.is_banned:
        raise PostingRefused(describe_ban(user))


def ensure_can_guard(user):
    """Raise PostingRefused unless ``user`` may raise spoiler episodes as a spoiler
    guard: the role, and the standing to post (a banned guard keeps the role but
    cannot use it until the ban ends)."""
    ensure_can_post(user)
    if not user.is_spoiler_guard:
        raise PostingRefused(
            _(
                "Only spoiler guards can change the spoiler episode of other members' posts. "
                "Report it as a spoiler without a tag instead: moderators will fix it."
            )
        )


def good_standing_joined_before():
    """Members who joined before this moment are old enough to be in good standing
    (``settings.GOOD_STANDING_ACCOUNT_AGE``). The other half of good standing, no
    upheld reports against them, is counted where reports live
    (``fansite.moderation.services``)."""
    return timezone.now() - settings.GOOD_STANDING_ACCOUNT_AGE


def ensure_can_edit_profile(member):
    """Banned members keep reading and may set their reading progress, but cannot
    change how they appear to others. Raises PostingRefused with the reason."""
    if not member.is_banned:
        return
    when = ban_end(member)
    if when is None:
        message = _("You are banned permanently, so you cannot change your name, bio or picture.")
    else:
        message = _(
            "You are banned until %(when)s and cannot change your name, bio or picture before then."
        ) % {"when": when}
    raise PostingRefused(message + ban_reason(member))


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
    bare ``https://…`` addresses, ``<name@example.org>``, and images (untrusted images
    render as links). The renderer decides, so a pasted address counts exactly as a
    Markdown link does. Addresses without a scheme, such as ``example.com``, stay
    plain text in our renderer, so they are not links here either."""
    return _LINK_RE.search(render_markdown(body)) is not None


def ensure_allowed_content(author, body):
    """Refuse links from new members (unless ``NEW_ACCOUNT_ALLOW_LINKS``)."""
    if settings.NEW_ACCOUNT_ALLOW_LINKS:
        return
    until = new_member_until(author)
    if until is None or not contains_link(body):
        return
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
