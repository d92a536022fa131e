"""Quoting spoilers by reference in the Markdown renderer (fansite.web.markdown).

``quote_spoilers_by_reference`` turns a text into one whose spoilers hold references
instead of their content; ``render_markdown(quoted_spoilers=...)`` puts the content back.
The comments tests (tests/comments/test_quote_spoilers.py) cover the views and the rules
about which sources may be drawn from.
"""

import pytest

from fansite.web.markdown import (
    plain_text,
    quote_spoilers_by_reference,
    render_markdown,
    spoiler_reference,
    spoiler_reference_sources,
)

SOURCE = 7


def ref(index):
    return spoiler_reference(SOURCE, index)


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("no spoilers here", "no spoilers here"),
        (
            "Who? >!SECRET one!< and >!SECRET *two*!< end",
            f"Who? >!{ref(1)}!< and >!{ref(2)}!< end",
        ),
        (
            ":::spoiler Episode 9\nSECRET\n\nmore SECRET\n:::\nafter",
            f":::spoiler Episode 9\n{ref(1)}\n:::\nafter",
        ),
        (
            "> quoted >!SECRET!<\n> line two >!SECRET\n> goes on!< x",
            f"> quoted >!{ref(1)}!<\n> line two >!{ref(2)}!< x",
        ),
        (
            "- item >!SECRET!<\n\n  :::spoiler\n  SECRET\n  :::\n- next",
            f"- item >!{ref(1)}!<\n\n  :::spoiler\n  {ref(2)}\n  :::\n- next",
        ),
        ("`>!code!<` and >!SECRET!<", f"`>!code!<` and >!{ref(1)}!<"),
        ("| a |\n|---|\n| >!SECRET!< |", f"| a |\n|---|\n| >!{ref(1)}!< |"),
        ("### Who >!SECRET!<", f"### Who >!{ref(1)}!<"),
        (":::spoiler\nSECRET, unclosed", f":::spoiler\n{ref(1)}\n:::\n"),
        (
            "::::spoiler\n:::spoiler\nSECRET\n:::\nSECRET\n::::\nz >!SECRET!<",
            f"::::spoiler\n{ref(1)}\n::::\nz >!{ref(2)}!<",
        ),
        (
            "> Run >!SECRET!<.\n>\n> — Lee >!SECRET!<",
            f"> Run >!{ref(1)}!<.\n>\n> — Lee >!{ref(2)}!<",
        ),
        ("a\r\n>!SECRET!<\r\n", f"a\n>!{ref(1)}!<\n"),
        (f"Again: >!{spoiler_reference(3, 1)}!<", f"Again: >!{ref(1)}!<"),
    ],
)
def test_quote_keeps_the_markup_and_refers_to_the_content(text, quoted):
    assert quote_spoilers_by_reference(text, source=SOURCE) == quoted


@pytest.mark.parametrize(
    "text",
    [
        # The same text as code first: which one is the spoiler cannot be told apart.
        "`>!SECRET!<` and >!SECRET!<",
        # A spoiler in alt text has no spoiler element to refer to.
        "![>!SECRET!<](https://example.com/a.png)",
    ],
)
def test_text_that_cannot_be_quoted_exactly_is_refused(text):
    assert quote_spoilers_by_reference(text, source=SOURCE) is None


def test_references_render_the_source_content_inside_the_spoilers():
    source = (
        "Look >!he *bites* &amp; runs!<.\n\n:::spoiler Gym\nHidden **block**.\n\n>!nested!<\n:::"
    )
    source_html = render_markdown(source)
    quote = f"> [@a wrote](/comments/{SOURCE}/):\n>\n" + "\n".join(
        f"> {line}" for line in quote_spoilers_by_reference(source, source=SOURCE).splitlines()
    )
    calls = []

    def hook(quoted_links, sources):
        calls.append((quoted_links, sources))
        return {SOURCE: source_html}

    html = render_markdown(quote, quoted_spoilers=hook)

    assert calls == [(frozenset({f"/comments/{SOURCE}/"}), frozenset({SOURCE}))]
    assert '<span class="spoiler__content">he <em>bites</em> &amp; runs</span></label>' in html
    assert "<summary>Spoiler: Gym</summary>" in html
    assert '<div class="spoiler-block__content">\n<p>Hidden <strong>block</strong>.</p>' in html
    assert '<span class="spoiler__content">nested</span>' in html
    assert plain_text(quote) == "@a wrote: Look [spoiler]. [spoiler]"


def test_a_reference_the_hook_does_not_return_is_unavailable():
    html = render_markdown(
        f">!{ref(1)}!<\n\n:::spoiler\n{ref(2)}\n:::", quoted_spoilers=lambda links, pks: {}
    )

    assert '<span class="spoiler__content">[spoiler unavailable]</span>' in html
    assert '<div class="spoiler-block__content">\n<p>[spoiler unavailable]</p>' in html


def test_a_reference_to_the_wrong_kind_or_index_is_unavailable():
    source_html = render_markdown(">!inline SECRET!<\n\n:::spoiler\nblock SECRET\n:::")

    html = render_markdown(
        f">!{ref(2)}!< >!{ref(3)}!< >!{ref(0)}!<\n\n:::spoiler\n{ref(1)}\n:::",
        quoted_spoilers=lambda links, pks: {SOURCE: source_html},
    )

    assert "SECRET" not in html
    assert html.count("[spoiler unavailable]") == 4


def test_a_reference_resolves_only_as_the_whole_content_of_a_spoiler():
    def hook(links, pks):
        raise AssertionError("nothing to resolve")

    html = render_markdown(f"{ref(1)} and >!see {ref(1)}!<", quoted_spoilers=hook)

    assert html.count(ref(1)) == 2


def test_resolved_content_is_sanitized_again():
    hostile = (
        '<span class="spoiler__content"><script>x()</script><a href="javascript:x">y</a></span>'
    )

    html = render_markdown(f">!{ref(1)}!<", quoted_spoilers=lambda links, pks: {SOURCE: hostile})

    assert "<script" not in html
    assert "javascript:" not in html


def test_without_the_hook_references_stay_text():
    assert ref(1) in render_markdown(f">!{ref(1)}!<")


def test_reference_sources_are_found_anywhere():
    text = (
        f"`{spoiler_reference(5, 1)}` and ⟦ SPOILER 2 of Comment 6 ⟧ and ⟦spoiler x of comment 8⟧"
    )

    assert spoiler_reference_sources(text) == {5, 6}
