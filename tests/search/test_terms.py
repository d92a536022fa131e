"""How texts are indexed and queries read (fansite.search.terms): Korean by pairs of
syllables, romanised names with or without hyphens, and no input that breaks."""

import pytest

from fansite.search.terms import index_terms, parse, snippet, to_fts5, to_tsquery


def test_korean_words_are_indexed_by_pairs_of_syllables():
    assert index_terms("온조가 옥상에") == "온조 조가 옥상 상에"
    assert index_terms("왜") == "왜"


def test_hyphenated_words_are_indexed_in_place_and_joined_at_the_end():
    assert index_terms("Lee Cheong-san's rooftop") == "lee cheong san rooftop cheongsan"


def test_accents_and_case_do_not_matter():
    assert index_terms("CAFÉ Café") == "cafe cafe"


def test_mixed_korean_and_english_words_split_by_script():
    assert index_terms("BTS가 좋아") == "bts 가 좋아"


@pytest.mark.parametrize(
    ("typed", "tsquery"),
    [
        ("온조", "(('온조'))"),
        ("남온조", "(('남온' <-> '온조'))"),
        ("온", "(('온':*))"),
        ("온조는", "(('온조' <-> '조는') | ('온조'))"),
        ("On-jo", "(('onjo') | ('on' <-> 'jo'))"),
        ("nametag -rooftop", "(('nametag')) & !(('rooftop'))"),
    ],
)
def test_queries_for_postgresql(typed, tsquery):
    assert to_tsquery(parse(typed)) == tsquery


def test_phrases_keep_words_side_by_side_in_every_spelling():
    query = parse('"Cheong-san rooftop"')
    assert to_fts5(query) == '("cheongsan rooftop" OR "cheong san rooftop")'


def test_exclusions_for_sqlite():
    assert to_fts5(parse('nametag -"On Jo"')) == '("nametag") NOT ("on jo")'


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "!!! ??? ...", "\x00\x00", '"', '"unbalanced', "-", "--", "x" * 10_000, "\u200b"],
)
def test_no_input_breaks_the_parser(typed):
    query = parse(typed)
    assert query.problem is None or isinstance(query.problem, str)
    if query.problem is None:
        assert to_tsquery(query)
        assert to_fts5(query)


def test_only_exclusions_is_a_problem_to_explain():
    assert "only words to leave out" in parse("-rooftop").problem


def test_long_queries_are_cut_and_say_so():
    query = parse(" ".join(f"word{n}" for n in range(40)))
    assert len(query.clauses) == 12
    assert query.notes


def test_snippets_escape_the_text_and_mark_the_words():
    html = snippet("<b>On-jo</b> gave 온조가 the nametag", parse("onjo 온조").marks)
    assert "&lt;b&gt;<mark>On-jo</mark>&lt;/b&gt;" in html
    assert "<mark>온조</mark>가" in html


def test_snippets_start_near_the_first_match():
    text = "filler " * 100 + "the nametag scene " + "filler " * 100
    html = snippet(text, parse("nametag").marks, length=120)
    assert "<mark>nametag</mark>" in html
    assert html.startswith("… ")
    assert len(html) < 200


def test_every_form_of_a_glossary_name_is_one_search():
    from fansite.search.terms import Glossary

    glossary = Glossary(
        [["Nam On-jo", "Nam Onjo", "Nam Ohn Jo", "On-jo", "Onjo", "남온조", "온조"]]
    )
    searches = {
        typed: to_tsquery(parse(typed, glossary))
        for typed in (
            "Nam On-jo",
            "nam onjo",
            "Nam Ohn Jo",
            "On-jo",
            "onjo",
            "남온조",
            "온조",
            "온조가",
        )
    }
    assert len(set(searches.values())) == 1
    assert "'온조'" in searches["onjo"]
    assert "'nam' <-> 'ohn' <-> 'jo'" in searches["온조"]


def test_a_glossary_name_among_other_words():
    from fansite.search.terms import Glossary

    glossary = Glossary([["Lee Cheong-san", "Cheong-san", "이청산", "청산"]])
    query = parse("Cheong-san rooftop", glossary)
    assert len(query.clauses) == 2
    assert "'청산'" in to_tsquery(query)
    assert "'rooftop'" in to_tsquery(query)
