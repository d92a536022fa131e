import datetime
import functools
import hashlib
import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MinLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fansite.web.reversing import reverse_text

from .avatars import AVATAR_RENDITION_NAME, default_avatar_data_uri
from .validators import (
    USERNAME_MAX_LENGTH,
    USERNAME_MIN_LENGTH,
    UsernameValidator,
    username_key,
)

# Background colours for generated avatars. Each one gives white initials a
# contrast ratio of at least 4.5:1 (WCAG AA for normal text); the tests check it.
AVATAR_COLOURS = (
    "#b3261e",
    "#a63c06",
    "#8a5a00",
    "#3f6212",
    "#15803d",
    "#0f766e",
    "#0e7490",
    "#1d4ed8",
    "#4338ca",
    "#6d28d9",
    "#a21caf",
    "#be185d",
)
AVATAR_TEXT_COLOUR = "#ffffff"

# A permanent ban is stored as a ban that ends at the end of time.
PERMANENT_BAN_UNTIL = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


class MemberManager(UserManager):
    def bulk_create(self, objs, *args, **kwargs):
        """Members inserted in bulk (``seed_demo``) get their username key too."""
        objs = list(objs)
        for member in objs:
            member.username_key = username_key(member.username)
        return super().bulk_create(objs, *args, **kwargs)


class User(AbstractUser):
    """A member of the site. Usernames are unique regardless of case and of
    compatibility forms (``username_key``)."""

    username = models.CharField(
        _("username"),
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        help_text=_(
            "3 to 30 characters: letters, digits, dots (.), hyphens (-) and underscores (_)."
        ),
        validators=[MinLengthValidator(USERNAME_MIN_LENGTH), UsernameValidator()],
        error_messages={"unique": _("That username is taken.")},
    )
    username_key = models.CharField(
        _("username key"),
        max_length=150,  # folding lengthens some names: "ß" becomes "ss"
        unique=True,
        editable=False,
        help_text=_(
            "The username as it is compared with others: case and compatibility forms "
            "folded (users.validators.username_key). Set from the username on save."
        ),
    )
    display_name = models.CharField(
        _("display name"),
        max_length=50,
        blank=True,
        help_text=_("Shown instead of your username. Leave it empty to use your username."),
    )
    bio = models.TextField(
        _("bio"),
        max_length=500,
        blank=True,
        help_text=_("A few words about yourself, up to 500 characters. Plain text."),
    )
    avatar = models.CharField(
        _("avatar"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_(
            "Storage folder holding the square renditions of the uploaded picture; "
            "empty when the member uses the generated initials avatar."
        ),
    )

    watched_up_to = models.PositiveSmallIntegerField(
        _("watched up to episode"),
        default=0,
        help_text=_(
            "The last episode this member has watched (0: none yet). Anything that spoils a "
            "later episode stays hidden from them until they ask to see it."
        ),
    )
    progress_chosen_at = models.DateTimeField(
        _("progress chosen at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the member last said how far they have watched (or dismissed the "
            "question); empty while the site should still ask."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_(
            "The IANA time zone times are shown in, such as Asia/Seoul; empty: the "
            "browser's zone when it tells us, else UTC."
        ),
    )
    banned_until = models.DateTimeField(
        _("banned until"),
        null=True,
        blank=True,
        help_text=_(
            "While set and in the future, the member can read but not post, edit or report."
        ),
    )
    ban_reason = models.CharField(
        _("ban reason"),
        max_length=300,
        blank=True,
        help_text=_("Shown to the member when they try to post."),
    )

    class GuardRole(models.TextChoices):
        NONE = "", _("Not a spoiler guard")
        GUARD = "guard", _("Spoiler guard")
        REVOKED = "revoked", _("Spoiler guard role revoked")

    spoiler_guard = models.CharField(
        _("spoiler guard"),
        max_length=10,
        choices=GuardRole,
        default=GuardRole.NONE,
        blank=True,
        editable=False,
        help_text=_(
            "Spoiler guards may raise (never lower) the spoiler episode of any thread or "
            "comment. Granted when enough of the member's spoiler reports are upheld; "
            "moderators revoke or grant it with the actions of this page. A revoked role "
            "is not granted again automatically."
        ),
    )
    unseen_notices = models.PositiveIntegerField(
        _("unseen notices"),
        default=0,
        editable=False,
        help_text=_(
            "How many notices (such as a change to the spoiler episode of their posts) "
            "wait to be shown to the member on their next page."
        ),
    )

    objects = MemberManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return self.username

    def save(self, **kwargs):
        # Like Article.body_html, a derived field kept in save(): username_key
        # enforces unique names in the database and must never disagree with the
        # username, whoever saves (sign-up, the admin, createsuperuser, a shell).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "username" in update_fields:
            self.username_key = username_key(self.username)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(**kwargs)

    def validate_unique(self, exclude=None):
        """Refuse, as taken, a username whose key another member has ("ALİCE" once
        "alice" exists), reported on the username: forms show no key field."""
        exclude = {*(exclude or ()), "username_key"}
        super().validate_unique(exclude=exclude)
        if "username" in exclude:
            return
        others = User._default_manager.exclude(pk=self.pk)
        if others.filter(username_key=username_key(self.username)).exists():
            raise ValidationError(
                {"username": ValidationError(_("That username is taken."), code="unique")}
            )

    def get_absolute_url(self):
        return reverse_text("users:profile_detail", self.username)

    def _get_session_auth_hash(self, secret=None):
        """Django's, worked out once per password and secret in this process: it is
        checked against the session on every signed-in request, and is two SHA-256
        digests and an HMAC each time."""
        return _session_auth_hash(self.password, settings.SECRET_KEY if secret is None else secret)

    @property
    def is_banned(self):
        return self.banned_until is not None and self.banned_until > timezone.now()

    @property
    def is_banned_permanently(self):
        return self.banned_until is not None and self.banned_until >= PERMANENT_BAN_UNTIL

    @property
    def is_spoiler_guard(self):
        """Holds the spoiler guard role (whether or not a ban stops them using it now)."""
        return self.spoiler_guard == self.GuardRole.GUARD

    @property
    def acts_as_spoiler_guard(self):
        """May raise any thread's or comment's spoiler episode right now: a guard who is
        active and not banned (``standing.ensure_can_guard`` says why not)."""
        return self.is_active and self.is_spoiler_guard and not self.is_banned

    @property
    def public_name(self):
        """What the site calls this member: the display name, else the username."""
        return self.display_name or self.username

    @property
    def initials(self):
        """One or two letters for the generated avatar: ``Nam On-jo`` gives ``NO``."""
        words = [word for word in re.split(r"[\s._-]+", self.public_name) if word]
        if not words:
            return "?"
        letters = words[0][0] + (words[1][0] if len(words) > 1 else "")
        return letters.upper()

    @property
    def avatar_colour(self):
        """A background colour that stays the same for a username, whatever its case."""
        digest = hashlib.sha256(self.username.casefold().encode()).digest()
        return AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]

    @property
    def avatar_text_colour(self):
        return AVATAR_TEXT_COLOUR

    @property
    def has_avatar(self):
        return bool(self.avatar)

    def avatar_rendition_names(self):
        """Storage names of every rendition of the uploaded avatar (empty if none)."""
        if not self.avatar:
            return []
        return [
            AVATAR_RENDITION_NAME.format(folder=self.avatar, size=size)
            for size in settings.AVATAR_SIZES
        ]

    def avatar_url(self, size):
        """URL of the rendition best suited to ``size`` CSS pixels.

        That is the smallest stored rendition at least ``size`` wide (the largest
        one if none is). Without an uploaded avatar this is the generated
        initials avatar as a ``data:`` URI, so callers always get an image.
        """
        if not self.avatar:
            return default_avatar_data_uri(self, size)
        sizes = sorted(settings.AVATAR_SIZES)
        best = next((candidate for candidate in sizes if candidate >= size), sizes[-1])
        return default_storage.url(AVATAR_RENDITION_NAME.format(folder=self.avatar, size=best))


@functools.lru_cache(maxsize=4096)
def _session_auth_hash(password, secret):
    return AbstractUser._get_session_auth_hash(_Password(password), secret)


class _Password:
    """Just the password Django's ``_get_session_auth_hash`` reads."""

    def __init__(self, password):
        self.password = password
