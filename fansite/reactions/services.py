"""Giving and taking back reactions, with the rules that apply to them."""

from django.db import transaction
from django.utils.translation import gettext as _

from fansite.users.standing import PostingRefused, ensure_can_post

from .models import Reaction


def ensure_can_react(member, comment, kind):
    """Raise PostingRefused unless ``member`` may react ``kind`` to ``comment``: their
    standing (logged in, active, not banned), not their own comment, a kind that is
    offered, and a comment that is shown (not removed or hidden, under a thread that
    is not hidden or an article that is published)."""
    ensure_can_post(member)
    if comment.author_id == member.pk:
        raise PostingRefused(_("You can't react to your own comment."))
    if not kind.is_enabled:
        raise PostingRefused(_("This reaction is no longer offered."))
    if not comment.is_shown:
        raise PostingRefused(_("This comment is no longer shown, so it takes no reactions."))


@transaction.atomic
def set_reaction(*, member, comment, kind, on):
    """Give (``on``) or take back ``member``'s ``kind`` reaction to ``comment``.
    Saying the same twice changes nothing, so a form sent twice neither doubles nor
    undoes it. Returns whether anything changed."""
    ensure_can_react(member, comment, kind)
    given = Reaction.objects.filter(comment=comment, member=member, kind=kind)
    if not on:
        deleted, _by_model = given.delete()
        return bool(deleted)
    if given.exists():
        return False
    # A click sent twice at once: the constraint keeps one, the other is ignored.
    Reaction.objects.bulk_create(
        [Reaction(comment=comment, member=member, kind=kind)], ignore_conflicts=True
    )
    return True
