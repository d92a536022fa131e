"""Compare ways of searching Korean on the test set (tests/search/korean_set.py):
precision and recall of each, terms indexed, and indexing speed. Prints the table
docs/search.md shows.

    python -m tests.search.measure_korean

The morphological analyser (kiwipiepy) is measured when it is importable; it is
not a dependency of the site (docs/search.md says why).
"""

import re
import time

from fansite.search.terms import Glossary, index_terms, parse, to_tsquery

from .korean_set import GLOSSARY_QUERIES, POSTS, QUERIES

_WORDS = re.compile(r"[^\W_]+")


def whole_words():
    """PostgreSQL's 'simple' configuration on the raw text: whole words."""

    def index(text):
        return set(_WORDS.findall(text.lower()))

    def match(terms, query):
        return all(word in terms for word in _WORDS.findall(query.lower()))

    return index, match


def substrings():
    """LIKE '%word%' for every word: what pg_trgm and FTS5's trigram tokenizer
    speed up, for words of three characters or more."""

    def index(text):
        return text.lower()

    def match(text, query):
        return all(word in text for word in _WORDS.findall(query.lower()))

    return index, match


def syllable_pairs(glossary=None):
    """This site's terms (fansite.search.terms): pairs of syllables, particles."""

    def index(text):
        return index_terms(text).split()

    def match(terms, query):
        return _matches(terms, parse(query, glossary))

    return index, match


def _matches(terms, query):
    def has(phrase):
        n = len(phrase.terms)
        for i in range(len(terms) - n + 1):
            window = terms[i : i + n]
            if list(phrase.terms[:-1]) == window[:-1] and (
                window[-1] == phrase.terms[-1]
                or (phrase.prefix and window[-1].startswith(phrase.terms[-1]))
            ):
                return True
        return False

    return all(any(has(p) for p in clause.options) != clause.negated for clause in query.clauses)


def morphemes():
    """kiwipiepy: the analyser's nouns, proper nouns, verb and adjective stems and
    foreign words, for the documents and the query alike."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    kiwi.tokenize("모델을 미리 읽어 둔다")  # the model loads on first use: not timed
    kept = ("NNG", "NNP", "NR", "VV", "VA", "SL", "SH", "XR")

    def forms(text):
        return {t.form.lower() for t in kiwi.tokenize(text) if t.tag.startswith(kept)}

    def match(terms, query):
        wanted = forms(query)
        return bool(wanted) and wanted <= terms

    return forms, match


def measure(name, approach, queries):
    index, match = approach
    started = time.perf_counter()
    indexed = {pk: index(text) for pk, text in POSTS.items()}
    elapsed = time.perf_counter() - started
    precision, recall, perfect = [], [], 0
    for query, expected in queries.items():
        got = {pk for pk, terms in indexed.items() if match(terms, query)}
        hits = len(got & expected)
        precision.append(hits / len(got) if got else (1.0 if not expected else 0.0))
        recall.append(hits / len(expected) if expected else 1.0)
        perfect += got == expected
    size = sum(len(terms) for terms in indexed.values())
    return (
        f"| {name} | {sum(precision) / len(precision):.2f} | {sum(recall) / len(recall):.2f} "
        f"| {perfect}/{len(queries)} | {size:,} | {elapsed * 1000 / len(POSTS):.3f} |"
    )


def main():
    print("| Approach | precision | recall | queries exactly right | terms | ms per post |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(measure("whole words ('simple')", whole_words(), QUERIES))
    print(measure("substrings (trigram index)", substrings(), QUERIES))
    print(measure("syllable pairs (this site)", syllable_pairs(), QUERIES))
    try:
        print(measure("morphemes (kiwipiepy)", morphemes(), QUERIES))
    except ImportError:
        print("| morphemes (kiwipiepy) | not installed | | | | |")

    seeded = Glossary(
        [
            ["Nam On-jo", "Nam On Jo", "Nam Onjo", "On-jo", "On Jo", "Onjo", "남온조", "온조"],
            ["Lee Cheong-san", "Cheong-san", "Cheongsan", "이청산", "청산"],
            ["Lee Su-hyeok", "Su-hyeok", "Suhyeok", "Soo-hyuk", "이수혁", "수혁"],
        ]
    )
    print()
    print("With the glossary (romanised names):")
    print()
    print("| Approach | precision | recall | queries exactly right | terms | ms per post |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(measure("syllable pairs, no glossary", syllable_pairs(), GLOSSARY_QUERIES))
    print(measure("syllable pairs + glossary", syllable_pairs(seeded), GLOSSARY_QUERIES))
    print()
    print("Example: 남온조 →", to_tsquery(parse("남온조")))


if __name__ == "__main__":
    main()
