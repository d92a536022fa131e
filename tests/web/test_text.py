"""The rules for text members type (fansite/web/text.py)."""

import pytest
from django import forms

from fansite.web.text import (
    MultilineField,
    SingleLineField,
    clean_multiline,
    clean_single_line,
    is_blank,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645"  # "I want", with a ZWNJ inside
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
RED_HEART = "\u2764\ufe0f"  # ends with a variation selector


def test_line_endings_become_newlines():
    assert clean_multiline("one\r\ntwo\rthree\x85four\u2028five\u2029six") == (
        "one\ntwo\nthree\nfour\nfive\nsix"
    )


def test_terminal_colour_codes_are_removed_whole():
    assert clean_multiline("\x1b[1;31mError:\x1b[0m disk \x9b4mfull") == "Error: disk full"


def test_controls_are_removed_but_tabs_and_newlines_stay():
    assert clean_multiline("a\x00b\x07c\x1bd\x7fe\x80f\x9fg\th\ni") == "abcdefg\th\ni"


def test_single_line_text_has_no_line_breaks_or_tabs():
    assert clean_single_line("Who\r\nopened\tthe gate?") == "Who opened the gate?"


def test_zero_width_padding_is_trimmed_from_single_line_text():
    assert clean_single_line("\ufeff\u200b  The gate \u200d\u2060") == "The gate"


@pytest.mark.parametrize(
    "text",
    [
        FAMILY,
        f"{FAMILY} night",
        f"Go {PERSIAN}",
        f"From {SCOTLAND}",
        f"Love it {RED_HEART}",
        "\u200f\u05e9\u05dc\u05d5\u05dd!\u200f",  # right-to-left marks place the "!"
        "\u0600\u0661\u0662",  # the Arabic number sign is drawn under the digits
    ],
)
def test_joiners_marks_and_selectors_that_mean_something_are_kept(text):
    assert clean_single_line(text) == text
    assert clean_multiline(text) == text
    assert not is_blank(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \t\n",
        "\u200b\u200c\u200d\u2060\ufeff \u200b",
        "\u202e\u2066\u2069\u200e",  # direction controls alone
        "\u3164\u115f",  # Hangul fillers
        "\u2800",  # blank Braille pattern
        "\ufe0f\U000e007f",
    ],
)
def test_text_that_shows_nothing_is_blank(text):
    assert is_blank(text)
    assert clean_single_line(text) == ""


class TitleForm(forms.Form):
    title = SingleLineField(max_length=10)
    notes = MultilineField(required=False, strip=False)


def test_a_required_field_refuses_blank_looking_text_and_keeps_it():
    form = TitleForm({"title": "\u200b \u200d", "notes": "\u2060"})

    assert not form.is_valid()
    assert form.errors["title"] == ["This field is required."]
    assert form["title"].value() == "\u200b \u200d"
    assert form.cleaned_data["notes"] == ""


def test_length_is_checked_after_cleaning():
    form = TitleForm({"title": "\x1b[31m" + "x" * 10 + "\x1b[0m", "notes": "  indented\r\n"})

    assert form.is_valid()
    assert form.cleaned_data == {"title": "x" * 10, "notes": "  indented\n"}
