"""Search terms: what a text is indexed as, and what a query asks for, worked out
the same way on both sides so that they meet (docs/search.md).

**Latin script** (English, romanised Korean): words folded to lower case without
accents. A hyphenated word is indexed as its parts, in place ("Cheong-san" is
``cheong san``), and its joined form is added at the end of the document
(``cheongsan``), where it finds a one-word query without breaking phrases.

**Hangul**: Korean writes particles onto the word ("온조가", "온조는", "온조를"),
so a word is indexed as its overlapping pairs of syllables (``온조 조가``): a
query for "온조" is the pair ``온조`` and finds every form of the name, two-
syllable names included. A longer query word is its pairs as a phrase ("남온조"
is ``남온 <-> 온조``); one syllable is a prefix (``온*``). A query word ending in
a common particle also looks for the word without it.

The terms are plain lowercase words and syllable pairs separated by spaces, so
PostgreSQL (``to_tsvector('simple', …)``) and SQLite (FTS5's ``unicode61``) both
read them as they are, positions included.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_HANGUL_RUN = re.compile(f"([{_HANGUL}]+)")
# A word: letters and digits, with inner hyphens or apostrophes ("Cheong-san's").
# (\u2019 is the typographic apostrophe.)
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_JOINERS = re.compile(r"['\u2019\-]")
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)
# Particles attached to Korean words, longest first: "온조에게" is "온조" + "에게".
PARTICLES = (
    "에서",
    "에게",
    "한테",
    "까지",
    "부터",
    "으로",
    "이랑",
    "께서",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "와",
    "과",
    "도",
    "로",
    "랑",
    "만",
)
MAX_QUERY_CHARS = 500
MAX_CLAUSES = 12
# A phrase of hyphenated words is looked for in every way of writing them, up to
# this many ways ("Cheong-san Su-hyeok": four).
MAX_SPELLINGS = 8


def fold(text: str) -> str:
    """Lower case without accents: "Café" and "cafe" are one word."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def hangul_grams(run: str) -> list[str]:
    """A run of Hangul syllables as its overlapping pairs ("온조가": 온조, 조가); a
    single syllable as itself."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _pieces(word: str):
    """``(is_hangul, text)`` pieces of a word: "BTS가" is ("BTS", "가")."""
    for piece in _HANGUL_RUN.split(word):
        if piece:
            yield bool(_HANGUL_RUN.fullmatch(piece)), piece


def _latin_parts(piece: str) -> list[str]:
    piece = _POSSESSIVE.sub("", piece)
    return [part for part in _JOINERS.split(fold(piece)) if part.isalnum()]


def index_terms(text: str) -> str:
    """The terms a document is indexed as (see the module's docstring)."""
    terms, joined = [], []
    for match in _WORD.finditer(unicodedata.normalize("NFC", text)):
        for is_hangul, piece in _pieces(match.group()):
            if is_hangul:
                terms += hangul_grams(piece)
                continue
            parts = _latin_parts(piece)
            terms += parts
            if len(parts) > 1:
                joined.append("".join(parts))
    return " ".join(terms + joined)


@dataclass(frozen=True)
class Phrase:
    """Index terms that must stand side by side; ``prefix``: the last one may be
    the start of a term."""

    terms: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Clause:
    """Any one of ``options`` must be in the document (or, ``negated``, none)."""

    options: tuple[Phrase, ...]
    negated: bool = False


@dataclass
class Query:
    clauses: list[Clause] = field(default_factory=list)
    # What to mark in snippets: folded Latin words and Hangul words.
    marks: set[str] = field(default_factory=set)
    # Said to the reader above the results (a part of the query that was dropped).
    notes: list[str] = field(default_factory=list)

    @property
    def wanted(self) -> list[Clause]:
        return [clause for clause in self.clauses if not clause.negated]

    @property
    def problem(self) -> str | None:
        """Why nothing can be searched for, or None."""
        if not self.clauses:
            return _("Type a word or a name to search for.")
        if not self.wanted:
            return _("Add a word to look for: a search can't be only words to leave out.")
        return None


# "-word", '"a phrase"', '-"a phrase"'; a quote left open runs to the end.
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def _word_spellings(word: str) -> list[tuple[tuple[str, ...], bool]]:
    """Ways of writing one query word as index terms: ``[(terms, prefix)]``."""
    pieces = list(_pieces(word))
    if len(pieces) == 1 and pieces[0][0]:
        run = pieces[0][1]
        if len(run) == 1:
            return [((run,), True)]
        spellings = [(tuple(hangul_grams(run)), False)]
        stem = _without_particle(run)
        if stem:
            spellings.append((tuple(hangul_grams(stem)), len(stem) == 1))
        return spellings
    terms = []
    for is_hangul, piece in pieces:
        terms += hangul_grams(piece) if is_hangul else _latin_parts(piece)
    if not terms:
        return []
    spellings = [(tuple(terms), False)]
    if len(pieces) == 1 and len(terms) > 1:
        spellings.insert(0, (("".join(terms),), False))
    return spellings


def _without_particle(run: str) -> str | None:
    for particle in PARTICLES:
        if run.endswith(particle) and len(run) - len(particle) >= 2:
            return run[: -len(particle)]
    return None


def _marks(word: str) -> set[str]:
    marks = set()
    for is_hangul, piece in _pieces(word):
        if is_hangul:
            marks.add(_without_particle(piece) or piece)
        else:
            marks.update(_latin_parts(piece))
            marks.add("".join(_latin_parts(piece)))
    return {mark for mark in marks if mark}


def parse(text: str, glossary=None) -> Query:
    """The query a search box's text asks for. Never raises: whatever the input
    (empty, very long, punctuation, control characters, a quote left open), the
    result is a Query, maybe with a ``problem`` to say instead of searching.
    ``glossary``: a fansite.search.glossary.Glossary, whose names are searched in
    every form it knows."""
    query = Query()
    text = "".join(c for c in unicodedata.normalize("NFC", text or "") if c.isprintable())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        query.notes.append(
            _("Only the first %(count)s characters were searched.") % {"count": MAX_QUERY_CHARS}
        )
    # (negated, quoted, words) for each part of the text
    chunks = []
    for match in _CHUNK.finditer(text):
        if match.group(2) is not None:
            negated, words, quoted = match.group(1) == "-", match.group(2), True
        else:
            negated, words, quoted = match.group(3) == "-", match.group(4), False
        words = [w.group() for w in _WORD.finditer(words)]
        if words:
            chunks.append((negated, quoted, words))
    bare = [word for negated, quoted, words in chunks if not (negated or quoted) for word in words]
    left_out = []
    for negated, quoted, words in chunks:
        if not negated:
            for word in words:
                query.marks |= _marks(word)
        if quoted:
            clause = _phrase_clause(words, negated)
            if clause:
                (left_out if negated else query.clauses).append(clause)
            continue
        for word in words if negated else []:
            clause = _word_clause(word, negated=True)
            if clause:
                left_out.append(clause)
    # Words outside quotes, a known name (over several words) as one clause.
    at = 0
    while at < len(bare):
        found = glossary.longest(bare, at) if glossary is not None else None
        if found:
            end, forms = found
            query.clauses.append(_names_clause(forms))
            for form in forms:
                for word in _WORD.findall(form):
                    query.marks |= _marks(word)
            at = end
            continue
        clause = _word_clause(bare[at], negated=False)
        if clause:
            query.clauses.append(clause)
        at += 1
    query.clauses += left_out
    if len(query.clauses) > MAX_CLAUSES:
        query.clauses = query.clauses[:MAX_CLAUSES]
        query.notes.append(
            _("Only the first %(count)s words were searched.") % {"count": MAX_CLAUSES}
        )
    return query


def name_key(words) -> str:
    """One key for every spacing and hyphenation of a name: "Nam On-jo", "Nam
    Onjo" and "nam on jo" are all ``namonjo``; Hangul as written."""
    return "".join(
        piece if is_hangul else "".join(_latin_parts(piece))
        for word in words
        for is_hangul, piece in _pieces(word)
    )


def without_particle(word: str) -> str | None:
    """A Korean word without the particle it ends in ("온조가": "온조"), or None."""
    return _without_particle(word) if _HANGUL_RUN.fullmatch(word) else None


def _names_clause(forms):
    options = []
    for form in forms:
        words = _WORD.findall(form)
        clause = _phrase_clause(words, False) if len(words) > 1 else _word_clause(words[0], False)
        if clause:
            options += [p for p in clause.options if p not in options]
    return Clause(tuple(options))


def _word_clause(word, negated):
    options = tuple(Phrase(terms, prefix) for terms, prefix in _word_spellings(word))
    return Clause(options, negated) if options else None


def _phrase_clause(words, negated):
    """Words in quotes: side by side, each written every way it may be."""
    per_word = [
        [terms for terms, _prefix in _word_spellings(word)][:2]
        for word in words
        if _word_spellings(word)
    ]
    options = []
    for choice in product(*per_word):
        options.append(Phrase(tuple(term for terms in choice for term in terms)))
        if len(options) == MAX_SPELLINGS:
            break
    return Clause(tuple(options), negated) if options else None


# The longest name, in words, looked for in a query ("Nam Ohn Jo": three).
MAX_NAME_WORDS = 4


class Glossary:
    """Every form of every name (fansite.search.glossary reads them from the
    glossary entries): a search for one form is a search for all of them."""

    def __init__(self, names: list[list[str]]):
        """``names``: the forms of each entry."""
        self.forms = {}
        for forms in names:
            for form in forms:
                key = name_key(form.split())
                if key:
                    self.forms.setdefault(key, forms)

    def longest(self, words, at):
        """The longest name starting at ``words[at]``: ``(index after it, its
        forms)``, or None. A Korean name may carry a particle ("온조가")."""
        for count in range(min(MAX_NAME_WORDS, len(words) - at), 0, -1):
            forms = self.forms.get(name_key(words[at : at + count]))
            if forms:
                return at + count, forms
        stem = without_particle(words[at])
        if stem and stem in self.forms:
            return at + 1, self.forms[stem]
        return None


# -- The query for each database ------------------------------------------------


def to_tsquery(query: Query) -> str:
    """PostgreSQL's ``to_tsquery('simple', …)`` text for ``query``."""

    def phrase(p: Phrase) -> str:
        parts = [f"'{term}'" for term in p.terms]
        if p.prefix:
            parts[-1] += ":*"
        return " <-> ".join(parts)

    def clause(c: Clause) -> str:
        text = " | ".join(f"({phrase(p)})" for p in c.options)
        return f"!({text})" if c.negated else f"({text})"

    return " & ".join(clause(c) for c in query.clauses)


def to_fts5(query: Query) -> str:
    """SQLite FTS5's ``MATCH`` text for ``query``."""

    def phrase(p: Phrase) -> str:
        text = '"' + " ".join(p.terms) + '"'
        return text + "*" if p.prefix else text

    def options(c: Clause) -> str:
        return "(" + " OR ".join(phrase(p) for p in c.options) + ")"

    wanted = " AND ".join(options(c) for c in query.wanted)
    unwanted = "".join(f" NOT {options(c)}" for c in query.clauses if c.negated)
    return wanted + unwanted


# -- Snippets --------------------------------------------------------------------


@lru_cache(maxsize=256)
def _marker(marks: frozenset[str]):
    """One pattern for every mark: Korean anywhere (it carries particles), other
    words whole, in any case, with or without hyphens."""
    korean = sorted((m for m in marks if _HANGUL_RUN.fullmatch(m)), key=len, reverse=True)
    other = sorted((m for m in marks if not _HANGUL_RUN.fullmatch(m)), key=len, reverse=True)
    parts = [re.escape(m) for m in korean]
    if other:
        # "onjo" marks "On-jo" too: a hyphen may stand between any two letters.
        words = ["-?".join(map(re.escape, m)) for m in other]
        parts.append(r"(?<![^\W_])(?:" + "|".join(words) + r")(?![^\W_])")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def snippet(text: str, marks: set[str], length: int = 220) -> SafeString:
    """Up to ``length`` characters of ``text`` around its first marked word, escaped,
    with the marked words in ``<mark>``. ``text`` must already be fit to show (the
    spoiler-free plain text of fansite.web.markdown): only escaping and marks are
    added here, never markup from the text."""
    marker = _marker(frozenset(marks))
    spans = [m.span() for m in marker.finditer(text)] if marker else []
    start = 0
    if spans and spans[0][0] > length // 3:
        start = text.rfind(" ", 0, spans[0][0] - length // 3) + 1
    end = len(text) if len(text) - start <= length else text.rfind(" ", start, start + length)
    if end <= start:
        end = min(len(text), start + length)
    out, at = [], start
    if start > 0:
        out.append("… ")
    for first, last in spans:
        if first < at or last > end:
            continue
        out.append(escape(text[at:first]))
        out.append(f"<mark>{escape(text[first:last])}</mark>")
        at = last
    out.append(escape(text[at:end]))
    if end < len(text):
        out.append(" …")
    return mark_safe("".join(out))
