"""The rules for text members type: what is removed, and what counts as blank.

Every text field a member fills goes through one of two cleaners, before the
field's required and length checks:

``clean_multiline(value)`` (comment bodies, opening posts, bios, report details)
    Line endings become ``\\n``: CR LF, a lone CR, NEL (U+0085) and the Unicode
    line and paragraph separators. Terminal colour codes (``ESC [ 31 m``) are
    removed whole. Every other C0 or C1 control character and DEL is removed;
    tab and newline stay.
``clean_single_line(value)`` (thread titles, display names)
    The same, then tabs and line breaks become spaces and invisible padding is
    trimmed from both ends. A value with nothing visible left is empty.

Controls are removed rather than refused: they are invisible, so a member who
pasted them from a terminal or a word processor could not find them to fix the
text, and no page shows them anyway.

Format characters (category Cf) stay inside the text, because there some carry
meaning: the zero-width joiner (U+200D) builds emoji sequences such as the family
of three (man, ZWJ, woman, ZWJ, girl), the zero-width non-joiner (U+200C) shapes
Persian and Indic words, direction marks (U+200E, U+200F) place punctuation in
right-to-left text, tag characters end subdivision flags such as Scotland's. At
the ends of a single-line value only the zero-width spaces, joiners, word joiner,
soft hyphen and byte order mark are trimmed: there they join or separate nothing.
``is_blank(value)`` sees through every format character (but the few that are
drawn, such as the Arabic number sign U+0600): text made only of spaces, format
characters and the fillers listed below is blank, so a form refuses it as empty.

Usernames are stricter (``fansite/users/validators.py``): they refuse every
control, format character and space, and say so.

``SingleLineField`` and ``MultilineField`` are ``forms.CharField`` with these
rules; a required one refuses a blank value like an empty one, and the bound
form keeps what the member typed.
"""

import re
import unicodedata

from django import forms

LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
# CSI sequences ("ESC [" or the one-character C1 form, parameters, a final byte):
# colours and cursor moves pasted from a terminal. Removed whole, not just the ESC.
TERMINAL_ESCAPES = re.compile("(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]")
# C0 controls but tab and newline, DEL, and the C1 controls.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Invisible characters trimmed from the ends of a single-line value, besides spaces.
ZERO_WIDTH_PADDING = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")
# Format characters that are drawn: they span the digits that follow them.
PREPENDED_MARKS = frozenset(
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd"
)

# Not format characters, yet nothing to see on their own: the Hangul fillers, the
# blank Braille pattern, the combining grapheme joiner, the Mongolian free variation
# selectors, and the variation selectors (checked by range below).
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180b\u180c\u180d\u180f")
VARIATION_SELECTORS = (("\ufe00", "\ufe0f"), ("\U000e0100", "\U000e01ef"))


def _is_filler(char):
    return char in FILLERS or any(low <= char <= high for low, high in VARIATION_SELECTORS)


def is_invisible(char):
    """True for a character that shows nothing by itself."""
    category = unicodedata.category(char)
    return (
        char.isspace()
        or category == "Cc"
        or (category == "Cf" and char not in PREPENDED_MARKS)
        or _is_filler(char)
    )


def is_blank(value):
    """True when ``value`` shows nothing: only spaces, controls, format characters
    (zero-width spaces and joiners, byte order marks …) and blank-looking fillers."""
    return all(is_invisible(char) for char in value)


def _is_padding(char):
    return char.isspace() or char in ZERO_WIDTH_PADDING


def clean_multiline(value):
    """Text that may span lines, with line endings normalised and controls removed."""
    value = LINE_BREAKS.sub("\n", value)
    value = TERMINAL_ESCAPES.sub("", value)
    return CONTROLS.sub("", value)


def clean_single_line(value):
    """One line of text without controls or invisible padding; ``""`` if blank."""
    value = clean_multiline(value).replace("\n", " ").replace("\t", " ")
    start, end = 0, len(value)
    while start < end and _is_padding(value[start]):
        start += 1
    while end > start and _is_padding(value[end - 1]):
        end -= 1
    value = value[start:end]
    return "" if is_blank(value) else value


class SingleLineField(forms.CharField):
    """A ``CharField`` cleaned with ``clean_single_line``."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return clean_single_line(value) or self.empty_value


class MultilineField(forms.CharField):
    """A ``CharField`` cleaned with ``clean_multiline``; a blank value is empty.

    Pass ``strip=False`` to keep leading spaces, which Markdown reads as indentation.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        value = clean_multiline(value)
        return self.empty_value if is_blank(value) else value
