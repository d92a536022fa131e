"""Rules for usernames.

A username appears next to everything a member writes, so it must be easy to
read, hard to fake and never mistaken for the site speaking. The checks run in
this order so that the message names the most specific problem:

1. invisible or control characters (zero-width spaces, direction overrides …);
2. characters outside letters, digits and ``. _ -``;
3. letters from different scripts that look alike ("admin" spelt with a
   Cyrillic U+0430 instead of a Latin "a"), using the Unicode confusables data;
4. names reserved for the site and its staff, compared after folding case,
   accents, separators and look-alike letters.

Length (3 to 30) is enforced by the model field and the sign-up form.

Two usernames are the same name when their ``username_key`` is: NFKC, full
case folding, and "İ" read as the capital of "i". The key is stored on the
member, unique in the database (``User.username_key``).
"""

import unicodedata

from confusable_homoglyphs import categories, confusables
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 30

# Punctuation allowed anywhere in a username. Everything else must be a
# letter, a decimal digit or a combining mark that follows a letter.
USERNAME_PUNCTUATION = frozenset("._-")

# Unicode categories that are never visible on their own: controls, format
# characters (zero-width space and joiners, bidi overrides), private use,
# unassigned code points and every kind of space or line separator.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zs", "Zl", "Zp"})

RESERVED_USERNAMES = frozenset(
    {
        "about",
        "accounts",
        "admin",
        "administrator",
        "api",
        "contact",
        "fansite",
        "help",
        "media",
        "members",
        "mod",
        "moderator",
        "moderators",
        "netflix",
        "official",
        "root",
        "settings",
        "staff",
        "static",
        "support",
        "system",
        "team",
        "webmaster",
    }
)


def normalize_username(username):
    """NFKC-normalise, as Django does: full-width letters become ASCII ones."""
    return unicodedata.normalize("NFKC", username)


def validate_username_characters(value):
    """Letters, digits and ``. _ -`` only; nothing invisible; no homoglyph mixes."""
    username = normalize_username(value)
    if any(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in username):
        raise ValidationError(
            _(
                "Usernames can't contain spaces or invisible characters. "
                "Use letters, digits, dots, hyphens or underscores."
            ),
            code="invisible_characters",
        )
    marks_in_a_row = 0
    previous_category = ""
    for char in username:
        category = unicodedata.category(char)
        is_mark = category.startswith("M")
        marks_in_a_row = marks_in_a_row + 1 if is_mark else 0
        allowed = (
            category.startswith("L")
            or category == "Nd"
            or char in USERNAME_PUNCTUATION
            # Combining accents and vowel signs belong to a letter. Long stacks of
            # them ("zalgo" text) spill over neighbouring lines, so two at most.
            or (is_mark and previous_category[:1] in {"L", "M"} and marks_in_a_row <= 2)
        )
        if not allowed:
            raise ValidationError(
                _("Use only letters, digits, dots (.), hyphens (-) and underscores (_)."),
                code="invalid_characters",
            )
        previous_category = category
    if is_homoglyph_mix(username):
        raise ValidationError(
            _(
                "That username mixes look-alike letters from different alphabets "
                "(such as Cyrillic and Latin), so it could be mistaken for another name. "
                "Use letters from one alphabet."
            ),
            code="mixed_script",
        )


def is_homoglyph_mix(username):
    """True when a name mixes scripts and some letter could pass for another script's.

    Mixing scripts is fine on its own (``jisoo지수``); it is refused only when,
    for one of the scripts used, a character from another script in the name
    is a known look-alike of a character in that script.
    """
    scripts = categories.unique_aliases(username) - {"COMMON"}
    if len(scripts) < 2:
        return False
    return any(confusables.is_dangerous(username, preferred_aliases=[s]) for s in scripts)


def username_key(username):
    """The form in which usernames are compared: equal keys mean the same name.

    NFKC (full-width and other compatibility forms become plain letters), full
    case folding ("Straße" and "STRASSE" both give "strasse"), then NFKC again
    since folding can undo it. "İ" (U+0130) folds to "i" plus a combining dot
    above; the dot is dropped, so that "ALİCE", as Turkish and Azerbaijani
    write it, is "alice". Accents otherwise stay: "Élise" and "Elise" are two
    names.
    """
    folded = unicodedata.normalize("NFKC", normalize_username(username).casefold())
    return unicodedata.normalize("NFKC", folded.replace("i\u0307", "i"))


def username_skeleton(username):
    """A folded form for comparing names: case, accents, separators and look-alikes removed.

    ``Ad.min``, ``ADMIN``, ``Ádmin`` and "admin" spelt with a Cyrillic U+0430
    all give ``admin``.
    """
    folded = []
    for char in unicodedata.normalize("NFKD", username_key(username)):
        if char in USERNAME_PUNCTUATION or unicodedata.category(char) == "Mn":
            continue
        if not char.isascii():
            for homoglyph in confusables.confusables_data.get(char, []):
                if len(homoglyph["c"]) == 1 and homoglyph["c"].isascii():
                    char = homoglyph["c"].casefold()
                    break
        folded.append(char)
    return unicodedata.normalize("NFC", "".join(folded))


def is_reserved_username(username):
    return username_skeleton(username) in RESERVED_USERNAMES


def validate_username_not_reserved(value):
    if is_reserved_username(value):
        raise ValidationError(
            _("That username is reserved. Please choose another."),
            code="reserved",
        )


@deconstructible
class UsernameValidator:
    """The character rules, usable as a model field validator (migrations need a class).

    Reserved names are checked separately (``validate_username``) so that staff can
    still create an ``admin`` account with ``createsuperuser``.
    """

    def __call__(self, value):
        validate_username_characters(value)

    def __eq__(self, other):
        return isinstance(other, UsernameValidator)

    def __hash__(self):
        return hash(self.__class__)


def validate_username(value):
    """Every rule a member's chosen username must pass, for use in any form."""
    username = normalize_username(value)
    if not USERNAME_MIN_LENGTH <= len(username) <= USERNAME_MAX_LENGTH:
        raise ValidationError(
            _("Usernames are %(min)d to %(max)d characters long.")
            % {"min": USERNAME_MIN_LENGTH, "max": USERNAME_MAX_LENGTH},
            code="length",
        )
    validate_username_characters(username)
    validate_username_not_reserved(username)
