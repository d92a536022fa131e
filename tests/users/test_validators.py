import pytest
from django.core.exceptions import ValidationError

from fansite.users.validators import (
    is_homoglyph_mix,
    username_key,
    username_skeleton,
    validate_username,
)

CYRILLIC_A = "\u0430"
ZERO_WIDTH_SPACE = "\u200b"
RIGHT_TO_LEFT_OVERRIDE = "\u202e"


@pytest.mark.parametrize(
    "username",
    [
        "alice",
        "Nam_On-jo.2022",
        "남온조",  # Hangul: On-jo's name
        "jisoo지수",  # Latin and Hangul together do not look alike
        "Дима",  # one non-Latin script throughout
        "Cheong-san",
        "José",
        "abc",
        "a" * 30,
    ],
)
def test_ordinary_usernames_are_accepted(username):
    validate_username(username)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("bell\x07", "invisible characters"),
        ("\x1b[31mred", "invisible characters"),
        ("next\x85line", "invisible characters"),
        (f"ali{ZERO_WIDTH_SPACE}ce", "invisible characters"),
        (f"{RIGHT_TO_LEFT_OVERRIDE}ecila", "invisible characters"),
        ("two words", "invisible characters"),
        ("alice@example", "Use only letters, digits"),
        ("hi!", "Use only letters, digits"),
        ("👀👀👀", "Use only letters, digits"),
        (f"{CYRILLIC_A}dmin", "look-alike letters from different alphabets"),
        (f"p{CYRILLIC_A}ypal", "look-alike letters from different alphabets"),
        ("admin", "reserved"),
        ("ADM\u0130N", "reserved"),  # Turkish dotted capital I
        ("\u00c1dmin", "reserved"),  # an accent does not make it another name
        ("Stäff", "reserved"),
        ("Moderator", "reserved"),
        ("STAFF", "reserved"),
        ("sup.port", "reserved"),
        ("fansite", "reserved"),
        ("ab", "3 to 30 characters"),
        ("a" * 31, "3 to 30 characters"),
    ],
)
def test_bad_usernames_are_refused_with_a_helpful_message(username, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_username(username)
    assert message in excinfo.value.messages[0]


def test_full_width_letters_count_as_their_ascii_forms():
    # NFKC turns the full-width letters into plain "admin", which is reserved.
    with pytest.raises(ValidationError, match="reserved"):
        validate_username("\uff41\uff44\uff4d\uff49\uff4e")


def test_skeleton_folds_case_separators_and_look_alikes():
    assert username_skeleton(f"A.d-{CYRILLIC_A.upper()}_m") == "adam"
    assert username_skeleton("Nam_On") == "namon"


def test_mixed_scripts_are_only_a_problem_when_letters_look_alike():
    assert is_homoglyph_mix(f"{CYRILLIC_A}lice")
    assert not is_homoglyph_mix("kim민지")
    assert not is_homoglyph_mix("alice")


@pytest.mark.parametrize(
    ("username", "key"),
    [
        ("Alice", "alice"),
        ("AL\u0130CE", "alice"),  # "İ".casefold() is "i" + U+0307; the dot goes
        ("Stra\u00dfe", "strasse"),
        ("\uff21lice", "alice"),  # full-width
        ("\u00c9lise", "\u00e9lise"),  # accents stay: Élise is not Elise
        ("Nam_On", "nam_on"),  # separators stay: only reserved names ignore them
    ],
)
def test_username_key_folds_case_and_compatibility_forms(username, key):
    assert username_key(username) == key
