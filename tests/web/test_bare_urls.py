"""Bare http(s) addresses become links (fansite.web.markdown._bare_url)."""

import pytest

from fansite.web.markdown import plain_text, render_markdown

REL = 'rel="nofollow ugc noopener"'


def link(url, text=None):
    return f'<a href="{url}" {REL}>{text or url}</a>'


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("See https://example.com/clip", f"See {link('https://example.com/clip')}"),
        ("http://example.com", link("http://example.com")),
        (
            "at https://example.com:8000/a?b=1&c=2#d ok",
            'at <a href="https://example.com:8000/a?b=1&amp;c=2#d" '
            f"{REL}>https://example.com:8000/a?b=1&amp;c=2#d</a> ok",
        ),
        ("HTTPS://EXAMPLE.COM/A", link("HTTPS://EXAMPLE.COM/A")),
    ],
)
def test_bare_url_becomes_a_link(source, html):
    assert render_markdown(source) == f"<p>{html}</p>\n"


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("Watch https://example.com/clip.", f"Watch {link('https://example.com/clip')}."),
        ("Is it https://example.com/clip?", f"Is it {link('https://example.com/clip')}?"),
        (
            "https://example.com/a, https://example.com/b;",
            f"{link('https://example.com/a')}, {link('https://example.com/b')};",
        ),
        ("Wow https://example.com/clip!", f"Wow {link('https://example.com/clip')}!"),
        ("'https://example.com/clip'", f"'{link('https://example.com/clip')}'"),
        ("Ends here https://example.com/clip…", f"Ends here {link('https://example.com/clip')}…"),
    ],
)
def test_trailing_punctuation_is_not_part_of_the_link(source, html):
    assert render_markdown(source) == f"<p>{html}</p>\n"


def test_parentheses_around_a_url_are_not_part_of_it():
    html = render_markdown("(source: https://example.com/interview)")
    assert html == f"<p>(source: {link('https://example.com/interview')})</p>\n"


def test_parentheses_inside_a_url_stay_in_it():
    url = "https://en.wikipedia.org/wiki/All_of_Us_Are_Dead_(TV_series)"
    html = render_markdown(f"(see {url}).")
    assert html == f"<p>(see {link(url)}).</p>\n"


def test_a_url_stops_at_angle_brackets_and_quotes():
    assert render_markdown("a https://example.com/x<b>") == (
        f"<p>a {link('https://example.com/x')}&lt;b&gt;</p>\n"
    )
    assert (
        render_markdown('"https://example.com/x"') == f'<p>"{link("https://example.com/x")}"</p>\n'
    )


def test_emphasis_around_a_url_stays_emphasis():
    assert render_markdown("**https://example.com**") == (
        f"<p><strong>{link('https://example.com')}</strong></p>\n"
    )
    assert render_markdown("_https://example.com/a_b_") == (
        f"<p><em>{link('https://example.com/a_b')}</em></p>\n"
    )


def test_a_url_already_linked_is_linked_once():
    assert render_markdown("[https://a.example](https://b.example)") == (
        f"<p>{link('https://b.example', 'https://a.example')}</p>\n"
    )
    assert render_markdown("[the clip](https://example.com/clip)") == (
        f"<p>{link('https://example.com/clip', 'the clip')}</p>\n"
    )
    assert render_markdown("<https://example.com/clip>") == (
        f"<p>{link('https://example.com/clip')}</p>\n"
    )


def test_urls_in_code_stay_code():
    assert render_markdown("`https://example.com`") == "<p><code>https://example.com</code></p>\n"
    assert render_markdown("```\nhttps://example.com\n```") == (
        "<pre><code>https://example.com\n</code></pre>\n"
    )
    assert render_markdown("    https://example.com") == (
        "<pre><code>https://example.com\n</code></pre>\n"
    )


def test_url_inside_a_spoiler_stays_inside_it():
    html = render_markdown(">!the ending: https://example.com/ending!< and more")
    assert (
        f'<span class="spoiler__content">the ending: {link("https://example.com/ending")}</span>'
        in html
    )
    assert html.endswith("</label> and more</p>\n")


@pytest.mark.parametrize(
    "source",
    [
        "example.com",
        "www.example.com",
        "https://",
        "https://.example.com",
        "ftp://example.com/file",
        "javascript://example.com/%0Aalert(1)",
        "xhttps://example.com",
        "fan@example.com",
    ],
)
def test_text_that_is_not_a_web_address_stays_text(source):
    assert "<a" not in render_markdown(source)


def test_bare_urls_stay_plain_text_in_excerpts():
    assert plain_text("See https://example.com/clip.") == "See https://example.com/clip."


def test_a_long_run_of_colons_and_closers_renders_quickly():
    import time

    started = time.perf_counter()
    render_markdown("https://example.com/" + ")" * 9_000)
    render_markdown("http:" * 2_000)
    render_markdown("https://e.x " * 800)
    assert time.perf_counter() - started < 1
