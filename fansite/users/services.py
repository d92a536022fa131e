"""Writes to a member's profile that have side effects beyond one row."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from . import avatars
from .standing import ensure_can_edit_profile

logger = logging.getLogger(__name__)


@transaction.atomic
def update_profile(*, member, display_name, bio, avatar=None, remove_avatar=False):
    """The member changes their own profile (refused while they are banned)."""
    ensure_can_edit_profile(member)
    return _save_profile(
        member=member,
        display_name=display_name,
        bio=bio,
        avatar=avatar,
        remove_avatar=remove_avatar,
    )


def _save_profile(*, member, display_name, bio, avatar=None, remove_avatar=False):
    """Save the profile fields and, if given, replace or remove the avatar.

    ``avatar`` is a :class:`~fansite.users.avatars.PreparedAvatar`, already
    checked and rendered. The new files are written before the row is saved and
    the old ones deleted only once the transaction has committed, so a failure
    at any point leaves the member with their previous, working avatar. Storage
    that cannot take the new files (a full or read-only disk) is refused with
    :class:`~fansite.users.avatars.AvatarNotStored` and nothing is changed.
    """
    old_files = member.avatar_rendition_names()
    if avatar is not None:
        try:
            folder = avatars.store_avatar(avatar)
        except Exception as error:
            logger.exception("Storing an avatar for member %s failed.", member.pk)
            raise avatars.AvatarNotStored() from error
        member.avatar = folder
    elif remove_avatar:
        member.avatar = ""
    member.display_name = display_name
    member.bio = bio
    try:
        member.save(update_fields=["display_name", "bio", "avatar"])
    except Exception:
        if avatar is not None:
            avatars.delete_avatar(member.avatar_rendition_names())
        raise

    if old_files and member.avatar_rendition_names() != old_files:
        transaction.on_commit(lambda: avatars.delete_avatar(old_files), robust=True)
    return member


@transaction.atomic
def remove_avatar(*, member):
    """Go back to the generated initials avatar (used by the admin, for instance).

    Allowed whatever the member's standing: moderators remove banned members'
    pictures too."""
    return _save_profile(
        member=member, display_name=member.display_name, bio=member.bio, remove_avatar=True
    )


def set_time_zone(*, member, time_zone):
    """The zone the member's pages show times in ("" for the browser's). Private to
    the member, so allowed whatever their standing, like their progress."""
    if member.time_zone != time_zone:
        member.time_zone = time_zone
        member.save(update_fields=["time_zone"])
    return member


class AccountDeletionRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@transaction.atomic
def delete_account(*, member):
    """Delete a member and their personal data; keep what they wrote, anonymised.

    The account row goes, and with it the email addresses, reading progress,
    profile and the reports they filed. Comments, threads and articles stay
    where they are with no author ("[deleted member]"), so conversations keep
    their shape. Avatar files are removed once the deletion has committed.
    """
    if member.is_staff or member.is_superuser:
        raise AccountDeletionRefused(
            _(
                "Staff accounts are closed by an administrator, so that the moderation "
                "record stays complete. Ask an administrator."
            )
        )
    files = member.avatar_rendition_names()
    member.delete()
    transaction.on_commit(lambda: avatars.delete_avatar(files))
