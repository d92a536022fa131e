"""Writes to a member's profile that have side effects beyond one row."""

from django.db import transaction

from . import avatars


@transaction.atomic
def update_profile(*, member, display_name, bio, avatar=None, remove_avatar=False):
    """Save the profile fields and, if given, replace or remove the avatar.

    ``avatar`` is a :class:`~fansite.users.avatars.PreparedAvatar`, already
    checked and rendered. The new files are written before the row is saved and
    the old ones deleted only once the transaction has committed, so a failure
    at any point leaves the member with their previous, working avatar.
    """
    old_files = member.avatar_rendition_names()
    if avatar is not None:
        member.avatar = avatars.store_avatar(avatar)
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
    """Go back to the generated initials avatar (used by the admin, for instance)."""
    return update_profile(
        member=member, display_name=member.display_name, bio=member.bio, remove_avatar=True
    )
