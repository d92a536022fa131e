"""The site's one Markdown renderer, with spoiler syntax.

Comments, threads and editorial articles are all written in Markdown and rendered here, once,
when they are saved; the stored HTML is what pages show. The public functions:

``render_markdown(text, trusted=False, quoted_spoilers=None, mentions=False)``
    Markdown to sanitized HTML. ``trusted=True`` is for staff-written articles only;
    ``quoted_spoilers`` resolves quoted spoilers' references (below); ``mentions=True``
    links ``@name`` to members' profiles through the registered mention resolver.
``set_mention_resolver(resolver)``
    Registers the function that says which ``@names`` are members (an app's ``ready()``).
``plain_text(text)``
    Spoiler-free plain text for titles, meta descriptions, feeds, excerpts and notifications.
    The result is *not* HTML-escaped: templates escape it like any other string.
``excerpt(text, length=200)``
    ``plain_text()`` shortened at a word boundary.
``quote_spoilers_by_reference(text, source=pk)``
    The text with each spoiler's content replaced by a reference to it, for quoting.
``spoiler_reference(source, index)``, ``spoiler_reference_sources(text)``
    A reference's text; the sources the references in a text name.

Syntax and the exact HTML it produces (after sanitizing):

* CommonMark plus tables and ``~~strikethrough~~`` (rendered as ``<del>``). Raw HTML in the
  source is never passed through, not even for trusted text: it shows as text. Fenced code
  loses its language class (there is no highlighter).
* Inline spoiler, Reddit style, ``>!hidden *text*!<``::

      <label class="spoiler"><input type="checkbox" class="spoiler__toggle"><span
      class="spoiler__cover">Spoiler</span><span class="spoiler__content">hidden
      <em>text</em></span></label>

  (one line, no whitespace between the tags). The content is parsed as inline Markdown. There
  is no nesting: the first ``!<`` closes, and ``>!`` inside a spoiler is literal text. An
  unclosed ``>!`` (or an empty ``>!!<``) is literal text. Markers inside code spans, code
  blocks, link destinations or after a backslash (``\\>!``) are left alone. A line starting
  with ``>!`` is a paragraph line with a spoiler, not a block quote; inside a block quote such
  a line ends the quote.
* Block spoiler, ``:::spoiler`` or ``:::spoiler Some label`` up to a line ``:::``::

      <details class="spoiler-block"><summary>Spoiler</summary><div
      class="spoiler-block__content"> ...blocks... </div></details>

  With a label, the summary reads ``Spoiler: Some label`` (the label is plain text, escaped).
  Block spoilers nest: every ``:::spoiler`` line opens one more level and every ``:::`` line
  closes the innermost one, so a nested spoiler never ends its parent early; ``:::`` lines
  inside fenced code do not count. An unclosed block spoiler runs to the end of the text (or of
  the quote or list it sits in), which hides more rather than less.
* Quoted spoiler, a spoiler whose whole content is a reference to the n-th spoiler (from 1,
  outermost ones in document order) of another text: ``>!⟦spoiler 2 of comment 34⟧!<``, or a
  block spoiler holding only that line. With a ``quoted_spoilers`` hook, it renders as the
  same spoiler holding that spoiler's content, taken from the source's stored HTML, or
  ``[spoiler unavailable]`` when the hook does not return the source or it has no such
  spoiler of that kind. Without the hook, and anywhere else, a reference is literal text.
* Images. Untrusted text never produces ``<img>``: ``![alt](url)`` becomes the link
  ``<a href="url">Image: alt</a>`` (plain text ``Image: alt`` inside another link). Trusted
  text turns images on a same-site path (``/static/...``, ``/media/...``) into
  ``<img src="..." alt="..." loading="lazy">`` and any other image into the link form. A
  trusted paragraph holding nothing but one such image with a title becomes
  ``<figure><img ...><figcaption>Title</figcaption></figure>``. Spoilers in alt text show as
  ``[spoiler]``.
* Quote attribution. A block quote whose last paragraph (or the last line of it) starts with
  ``— `` or ``-- `` becomes ``<figure class="quote"><blockquote>...</blockquote>
  <figcaption>— Name</figcaption></figure>`` (``--`` is written as an em dash). A quote that
  is nothing but such a line stays a plain quote.
* Bare ``http://`` and ``https://`` addresses become links (``_bare_url``): the address runs
  to the first space, ``<``, ``>``, quote mark, backtick or backslash, then loses trailing
  punctuation (``.,:;!?*_~'`` and ``…``) and closing brackets that do not close one opened
  inside it, so "(see https://example.com/a_(b))." links ``https://example.com/a_(b)``.
  Not inside code, links or autolinks; ``www.example.com`` without a scheme stays text.
* Mentions (only with ``mentions=True`` and a registered resolver, untrusted text only):
  ``@name`` not preceded by a letter, digit, ``@``, ``.``, ``-`` or ``/`` (so not in e-mail
  addresses or paths), where ``name`` is 3 to 30 letters, digits and ``._-``, becomes
  ``<a href="..." class="mention">@name</a>`` when the resolver returns an address for it.
  A trailing ``.`` or ``-`` that makes no known name is left as text ("thanks @mina.").
  Never inside code or links; unknown names stay text. One resolver call per text.
* Links get ``rel="nofollow ugc noopener"`` (untrusted) or ``rel="noopener"`` (trusted). Only
  http, https, mailto and relative URLs survive; other links stay as literal text.
* Headings never compete with the page's own: untrusted text renders h1 and h2 as h3 (h3-h6
  unchanged), trusted text renders h1 as h2 (h2-h6 unchanged).
* Table column alignment becomes ``class="align-left|align-center|align-right"`` on th/td,
  because the content security policy forbids ``style`` attributes.

The HTML is finally cleaned by nh3 with an allow-list of exactly the tags, attributes and
class names above, so a bug in the rendering rules cannot open a hole.

Everything is linear in the size of the input: scans that could otherwise restart at every
marker (unclosed ``>!``, unclosed ``:::spoiler``, ``>!`` lines in quotes) are bounded or
remembered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

import nh3
from django.utils.translation import get_language, gettext
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import blockquote as commonmark_blockquote
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "excerpt",
    "plain_text",
    "quote_spoilers_by_reference",
    "render_markdown",
    "set_mention_resolver",
    "spoiler_reference",
    "spoiler_reference_sources",
]

SPOILER_OPEN = ">!"
SPOILER_CLOSE = "!<"
SPOILER_PLACEHOLDER = "[spoiler]"
ELLIPSIS = "…"

_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_SPOILER_BLOCK_OPENER_RE = re.compile(r":{3,}[ \t]*spoiler(?![^ \t])", re.IGNORECASE)
_SPOILER_BLOCK_CLOSER_RE = re.compile(r":{3,}[ \t]*")
_FENCE_RE = re.compile(r"`{3,}|~{3,}")
_ATTRIBUTION_PREFIXES = ("— ", "-- ")
_ALIGNMENTS = frozenset({"left", "center", "right"})


# --- URLs -------------------------------------------------------------------------------------


def _is_safe_url(url: str) -> bool:
    """Allow http, https, mailto and relative URLs; markdown-it leaves anything else as text."""
    match = _SCHEME_RE.match(url.strip())
    return match is None or match.group(1).lower() in _SAFE_SCHEMES


def _is_same_site_path(url: str) -> bool:
    # "//host" and "/\host" are protocol-relative to browsers, so only a single slash counts.
    return url.startswith("/") and not url.startswith(("//", "/\\"))


# --- Bare URLs: https://example.com -------------------------------------------------------------
#
# markdown-it's own linkify needs linkify-it-py and its fuzzy matching of bare domains; this
# rule takes only addresses with an http(s) scheme. Like markdown-it's inline linkify rule it
# fires at the ":" of "://" (a character that ends a text run), with the scheme already in
# the pending text, so code spans, link labels and destinations and autolinks, which other
# rules consume first, never reach it.

_URL_SCHEME_RE = re.compile(r"(?:^|[^a-z0-9.+-])(https?)$", re.IGNORECASE)
_URL_BODY_RE = re.compile(r"//[^\W_][^\s<>\"`\\]*")
_URL_TRAILING = frozenset(".,:;!?*_~'…")
_URL_BRACKETS = {")": "(", "]": "[", "}": "{"}


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and closing brackets that close nothing inside the URL."""
    # Counted once and kept up to date, so a run of closers costs one pass, not one per closer.
    unclosed = {
        close: url.count(close) - url.count(open_) for close, open_ in _URL_BRACKETS.items()
    }
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _URL_TRAILING:
            end -= 1
        elif unclosed.get(last, 0) > 0:
            unclosed[last] -= 1
            end -= 1
        else:
            break
    return url[:end]


def _bare_url(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.linkLevel > 0 or not state.src.startswith("://", pos, state.posMax):
        return False
    # The scheme and the character before it: a long run of "http:http:..." is not
    # scanned again at every colon.
    scheme = _URL_SCHEME_RE.search(state.pending[-6:])
    if scheme is None:
        return False
    match = _URL_BODY_RE.match(state.src, pos + 1, state.posMax)
    if match is None:
        return False
    rest = _trim_url(match.group())
    if len(rest) < 3:  # "//" and at least one character of the host
        return False
    url = scheme.group(1) + ":" + rest
    href = state.md.normalizeLink(url)
    if not state.md.validateLink(href):
        return False
    if not silent:
        state.pending = state.pending[: -len(scheme.group(1))]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": href}
        token.markup = "linkify"
        token.info = "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup = "linkify"
        token.info = "auto"
    state.pos = pos + 1 + len(rest)
    return True


# --- Inline spoilers: >!hidden!< --------------------------------------------------------------
#
# Parsed like a link label: find the first closing marker by skipping whole inline tokens (so a
# `!<` inside a code span or link does not count), then tokenize the content recursively, so
# emphasis can never straddle the spoiler's edges and the HTML stays well nested.
# Per-state bookkeeping lives in attributes on the StateInline object:
#   _fansite_in_spoiler  True while scanning or tokenizing a spoiler: no nesting.
#   _fansite_no_close    (posMax, position): no closer exists from position up to posMax, so
#                        a run of unclosed openers is scanned once, not once per opener.


def _find_spoiler_close(state: StateInline, start: int) -> int:
    """Position of the first closing marker at or after `start`, or -1."""
    known_failure = getattr(state, "_fansite_no_close", None)
    if known_failure and known_failure[0] == state.posMax and start >= known_failure[1]:
        return -1
    old_pos = state.pos
    state._fansite_in_spoiler = True  # type: ignore[attr-defined]
    state.pos = start
    found = -1
    try:
        while state.pos < state.posMax:
            if state.src.startswith(SPOILER_CLOSE, state.pos, state.posMax):
                found = state.pos
                break
            state.md.inline.skipToken(state)
    finally:
        state._fansite_in_spoiler = False  # type: ignore[attr-defined]
        state.pos = old_pos
    if found < 0:
        state._fansite_no_close = (state.posMax, start)  # type: ignore[attr-defined]
    return found


def _inline_spoiler(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if not state.src.startswith(SPOILER_OPEN, start, state.posMax):
        return False
    if getattr(state, "_fansite_in_spoiler", False):
        return False
    content_start = start + len(SPOILER_OPEN)
    close = _find_spoiler_close(state, content_start)
    if close <= content_start:  # unclosed, or empty like ">!!<"
        return False
    if not silent:
        token = state.push("spoiler_open", "label", 1)
        token.markup = SPOILER_OPEN
        token.content = state.src[content_start:close]  # for quote_spoilers_by_reference
        old_max = state.posMax
        state.pos = content_start
        state.posMax = close
        state._fansite_in_spoiler = True  # type: ignore[attr-defined]
        try:
            state.md.inline.tokenize(state)
        finally:
            state._fansite_in_spoiler = False  # type: ignore[attr-defined]
            state.posMax = old_max
        token = state.push("spoiler_close", "label", -1)
        token.markup = SPOILER_CLOSE
    state.pos = close + len(SPOILER_CLOSE)
    return True


# --- Block quotes that step aside for ">!" lines ----------------------------------------------


def _line_starts_spoiler(state: StateBlock, line: int) -> bool:
    start = state.bMarks[line] + state.tShift[line]
    return state.src.startswith(SPOILER_OPEN, start, state.eMarks[line])


def _first_spoiler_line_in_quote(state: StateBlock, start_line: int, end_line: int) -> int | None:
    """The first `>!` line the quote starting at `start_line` would swallow, if any.

    Walks the lines exactly as markdown-it's block quote rule decides where a quote ends
    (`>` lines, lazy continuation lines, stop at a blank line or a block that interrupts), so
    it costs no more than the quote rule itself.
    """
    src = state.src
    first = state.bMarks[start_line] + state.tShift[start_line]
    last_line_empty = not src[first + 1 : state.eMarks[start_line]].strip(" \t")
    terminators = state.md.block.ruler.getRules("blockquote")
    old_parent = state.parentType
    state.parentType = "blockquote"
    try:
        for line in range(start_line + 1, end_line):
            pos = state.bMarks[line] + state.tShift[line]
            maximum = state.eMarks[line]
            if pos >= maximum:
                return None
            if src[pos] == ">" and state.sCount[line] >= state.blkIndent:
                if src.startswith(SPOILER_OPEN, pos, maximum):
                    return line
                last_line_empty = not src[pos + 1 : maximum].strip(" \t")
                continue
            if last_line_empty:
                return None
            if any(rule(state, line, end_line, True) for rule in terminators):
                return None
        return None
    finally:
        state.parentType = old_parent


def _blockquote(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if _line_starts_spoiler(state, start_line):
        return False
    if silent:
        return commonmark_blockquote(state, start_line, end_line, True)
    stop = _first_spoiler_line_in_quote(state, start_line, end_line)
    if stop is None:
        return commonmark_blockquote(state, start_line, end_line, False)
    # End the quote before the spoiler line; lowering lineMax also keeps the quote's last
    # paragraph from lazily continuing onto it.
    old_line_max = state.lineMax
    state.lineMax = stop
    try:
        return commonmark_blockquote(state, start_line, stop, False)
    finally:
        state.lineMax = old_line_max


# --- Block spoilers: :::spoiler ... ::: --------------------------------------------------------


def _line_text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _spoiler_block_label(text: str) -> str | None:
    """The label of a `:::spoiler label` line ("" without one), None for any other line."""
    match = _SPOILER_BLOCK_OPENER_RE.match(text)
    return None if match is None else text[match.end() :].strip()


def _find_spoiler_block_end(state: StateBlock, start_line: int, end_line: int) -> tuple[int, bool]:
    """(line, closed): the matching `:::` line, or where an unclosed spoiler has to end."""
    depth = 1
    fence: tuple[str, int] | None = None
    for line in range(start_line + 1, end_line):
        text = _line_text(state, line)
        if text and state.sCount[line] < state.blkIndent:
            return line, False  # outdented: the list item holding the spoiler has ended
        if state.sCount[line] - state.blkIndent >= 4:
            continue  # indented code, or content of a fenced block
        fence_match = _FENCE_RE.match(text)
        if fence is not None:
            if (
                fence_match
                and text[0] == fence[0]
                and fence_match.end() >= fence[1]
                and not text[fence_match.end() :].strip()
            ):
                fence = None
            continue
        if fence_match and not (text[0] == "`" and "`" in text[fence_match.end() :]):
            fence = (text[0], fence_match.end())
        elif _SPOILER_BLOCK_CLOSER_RE.fullmatch(text):
            depth -= 1
            if depth == 0:
                return line, True
        elif _spoiler_block_label(text) is not None:
            depth += 1
    return end_line, False


def _spoiler_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.is_code_block(start_line):
        return False
    label = _spoiler_block_label(_line_text(state, start_line))
    if label is None:
        return False
    if silent:
        return True
    end, closed = _find_spoiler_block_end(state, start_line, end_line)
    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType = "spoiler"
    state.lineMax = end  # content can never run past the closing line
    token = state.push("spoiler_block_open", "details", 1)
    token.markup = ":::"
    token.info = label
    token.block = True
    token.map = [start_line, end]
    # For quote_spoilers_by_reference: whether a closing line exists, and what precedes the
    # opener on its line (quote markers, a list item's indent).
    token.meta["closed"] = closed
    marker = state.bMarks[start_line] + state.tShift[start_line]
    token.meta["prefix"] = state.src[state.src.rfind("\n", 0, marker) + 1 : marker]
    state.md.block.tokenize(state, start_line + 1, end)
    token = state.push("spoiler_block_close", "details", -1)
    token.markup = ":::"
    token.block = True
    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = end + 1 if closed else end
    return True


# --- Plain text of inline tokens ----------------------------------------------------------------


def _inline_text(children: Sequence[Token] | None) -> str:
    """Markup-free text of inline tokens, with every spoiler replaced by the placeholder."""
    parts: list[str] = []
    in_spoiler = False
    for token in children or ():
        if in_spoiler:
            in_spoiler = token.type != "spoiler_close"
        elif token.type == "spoiler_open":
            parts.append(gettext(SPOILER_PLACEHOLDER))
            in_spoiler = True
        elif token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_inline_text(token.children))
    return "".join(parts)


# --- Core rules: rewrite the token stream before rendering -----------------------------------


def _is_trusted(env: EnvType) -> bool:
    return bool(env.get("trusted"))


def _demote_headings(state: StateCore) -> None:
    lowest = 2 if _is_trusted(state.env) else 3
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{max(int(token.tag[1]), lowest)}"


def _table_alignment_classes(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs:
            style = str(token.attrs.pop("style", ""))
            alignment = style.removeprefix("text-align:")
            if alignment in _ALIGNMENTS:
                token.attrSet("class", f"align-{alignment}")


def _image_as_link(image: Token, alt: str, inside_link: bool) -> list[Token]:
    text = Token("text", "", 0)
    text.content = gettext("Image: %(alt)s") % {"alt": alt} if alt else gettext("Image")
    if inside_link:
        return [text]
    link_open = Token("link_open", "a", 1)
    link_open.attrSet("href", str(image.attrGet("src") or ""))
    return [link_open, text, Token("link_close", "a", -1)]


def _rewrite_images(state: StateCore) -> None:
    """Images become links unless trusted and local; a lone captioned image becomes a figure."""
    if state.env.get("plain_text"):
        return
    trusted = _is_trusted(state.env)
    tokens = state.tokens
    for index, block in enumerate(tokens):
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for child in block.children:
            if child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth -= 1
            if child.type != "image":
                children.append(child)
                continue
            alt = _inline_text(child.children)
            src = str(child.attrGet("src") or "")
            if not (trusted and _is_same_site_path(src)):
                children.extend(_image_as_link(child, alt, inside_link=link_depth > 0))
                continue
            child.meta["alt"] = alt
            child.meta["caption"] = str(child.attrGet("title") or "")
            children.append(child)
        block.children = children
        if (
            len(children) == 1
            and children[0].type == "image"
            and children[0].meta["caption"]
            and 0 < index < len(tokens) - 1
            and tokens[index - 1].type == "paragraph_open"
            and tokens[index + 1].type == "paragraph_close"
        ):
            _make_figure(tokens[index - 1], block, tokens[index + 1])


def _make_figure(paragraph_open: Token, inline: Token, paragraph_close: Token) -> None:
    for token in (paragraph_open, paragraph_close):
        token.tag = "figure"
        token.hidden = False  # paragraphs in tight lists are hidden; a figure must not be
    caption = Token("text", "", 0)
    caption.content = inline.children[0].meta["caption"]
    inline.children += [
        Token("figcaption_open", "figcaption", 1),
        caption,
        Token("figcaption_close", "figcaption", -1),
    ]


def _starts_attribution(children: Sequence[Token]) -> bool:
    return bool(
        children
        and children[0].type == "text"
        and children[0].content.startswith(_ATTRIBUTION_PREFIXES)
    )


def _split_attribution(inline: Token) -> list[Token] | None:
    """Inline children of the attribution at the start of the paragraph or after its last
    top-level line break; the paragraph keeps the rest. None when there is none."""
    children = inline.children or []
    if _starts_attribution(children):
        inline.children = []
        return children
    depth = 0
    last_break = -1
    for position, child in enumerate(children):
        depth += child.nesting
        if depth == 0 and child.type in ("softbreak", "hardbreak"):
            last_break = position
    if last_break < 0 or not _starts_attribution(children[last_break + 1 :]):
        return None
    inline.children = children[:last_break]
    return children[last_break + 1 :]


def _attribute_quotes(state: StateCore) -> None:
    """Wrap quotes ending in "— Name" in <figure class="quote"> with a <figcaption>."""
    tokens = state.tokens
    open_stack: list[int] = []
    insert_before: dict[int, Token] = {}
    replace: dict[int, list[Token]] = {}
    for index, token in enumerate(tokens):
        if token.type == "blockquote_open":
            open_stack.append(index)
            continue
        if token.type != "blockquote_close" or not open_stack:
            continue
        start = open_stack.pop()
        if index - start < 4 or tokens[index - 1].type != "paragraph_close":
            continue
        paragraph_open, inline = tokens[index - 3], tokens[index - 2]
        if paragraph_open.type != "paragraph_open" or paragraph_open.level != token.level + 1:
            continue
        attribution = _split_attribution(inline)
        if attribution is None:
            continue
        if not inline.children and index - 3 == start + 1:
            inline.children = attribution  # nothing but the attribution: leave the quote be
            continue
        first = attribution[0]
        if first.content.startswith("-- "):
            first.content = "— " + first.content.removeprefix("-- ")
        caption = Token("inline", "", 0)
        caption.map = inline.map
        caption.children = attribution
        caption.content = "".join(child.content for child in attribution)
        figure_open = Token("figure_open", "figure", 1)
        figure_open.attrSet("class", "quote")
        figure_open.block = True
        figcaption_close = Token("figcaption_close", "figcaption", -1)
        figure_close = Token("figure_close", "figure", -1)
        figcaption_close.block = figure_close.block = True
        # The paragraph goes when the attribution was all of it.
        kept = tokens[index - 3 : index] if inline.children else []
        insert_before[start] = figure_open
        replace[index - 3] = [
            *kept,
            token,
            Token("figcaption_open", "figcaption", 1),
            caption,
            figcaption_close,
            figure_close,
        ]
        replace[index - 2] = replace[index - 1] = replace[index] = []
    if not insert_before:
        return
    rebuilt: list[Token] = []
    for index, token in enumerate(tokens):
        if index in insert_before:
            rebuilt.append(insert_before[index])
        rebuilt.extend(replace.get(index, [token]))
    state.tokens[:] = rebuilt


# --- Render rules ---------------------------------------------------------------------------


def _render_spoiler_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return (
        '<label class="spoiler"><input type="checkbox" class="spoiler__toggle">'
        f'<span class="spoiler__cover">{escape(gettext("Spoiler"))}</span>'
        '<span class="spoiler__content">'
    )


def _render_spoiler_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</span></label>"


def _render_spoiler_block_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    label = tokens[idx].info
    summary = gettext("Spoiler: %(label)s") % {"label": label} if label else gettext("Spoiler")
    return (
        f'<details class="spoiler-block"><summary>{escape(summary)}</summary>'
        '<div class="spoiler-block__content">\n'
    )


def _render_spoiler_block_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</div></details>\n"


def _render_fence(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"<pre><code>{escape(tokens[idx].content, quote=False)}</code></pre>\n"


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Only trusted, same-site images get here; the others were rewritten into links.
    token = tokens[idx]
    src = escape(str(token.attrGet("src") or ""))
    alt = escape(token.meta.get("alt", ""))
    return f'<img src="{src}" alt="{alt}" loading="lazy">'


def _render_del_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "<del>"


def _render_del_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</del>"


def _render_quoted_spoiler(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # HTML taken from the source's stored (sanitized) HTML; sanitized again with the rest.
    return tokens[idx].content


# --- The parser, built once ---------------------------------------------------------------


# --- Mentions ---------------------------------------------------------------------------------
#
# Which names are members is the product's knowledge, not this module's: an app registers a
# resolver (names as written -> profile address, for those that are members) in its ready().

MentionResolver = Callable[[frozenset[str]], Mapping[str, str]]
_MENTION_RE = re.compile(r"(?<![\w@./-])@([\w.-]{3,30})")
_mention_resolver: MentionResolver | None = None


def set_mention_resolver(resolver: MentionResolver | None) -> None:
    """Register the function that turns ``@names`` into profile addresses (None: none)."""
    global _mention_resolver  # one registry, set once at start-up
    _mention_resolver = resolver


def _mention_candidates(name: str) -> list[str]:
    """The names ``@name`` may mean, longest first: as written, then without trailing
    sentence punctuation."""
    trimmed = name.rstrip(".-")
    return [name, trimmed] if trimmed != name and len(trimmed) >= 3 else [name]


def _mention_texts(tokens: Sequence[Token]) -> Iterator[Token]:
    """Every text token outside links (code spans are tokens of their own)."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = 0
        for child in token.children:
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and not depth and "@" in child.content:
                yield child


def _mention_tokens(text: str, urls: Mapping[str, str]) -> list[Token] | None:
    """``text`` as text and mention-link tokens, or None when it mentions nobody known."""
    parts: list[Token] = []
    cursor = 0
    for match in _MENTION_RE.finditer(text):
        name = next((n for n in _mention_candidates(match[1]) if n in urls), None)
        if name is None:
            continue
        start, stop = match.start(), match.start(1) + len(name)
        if start > cursor:
            parts.append(_text_token(text[cursor:start]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": urls[name], "class": "mention"}
        parts += [link, _text_token(f"@{name}"), Token("link_close", "a", -1)]
        cursor = stop
    if not parts:
        return None
    if cursor < len(text):
        parts.append(_text_token(text[cursor:]))
    return parts


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _link_mentions(state: StateCore) -> None:
    resolver = state.env.get("mentions")
    if resolver is None or _is_trusted(state.env):
        return
    texts = {id(token): token for token in _mention_texts(state.tokens)}
    names = {
        candidate
        for token in texts.values()
        for match in _MENTION_RE.finditer(token.content)
        for candidate in _mention_candidates(match[1])
    }
    if not names:
        return
    urls = resolver(frozenset(names))
    if not urls:
        return
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        for child in token.children:
            replaced = _mention_tokens(child.content, urls) if id(child) in texts else None
            children += replaced or [child]
        token.children = children


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _is_safe_url  # type: ignore[method-assign]
    interrupts = ["paragraph", "reference", "blockquote", "list"]
    md.block.ruler.at("blockquote", _blockquote, {"alt": interrupts})
    md.block.ruler.before("fence", "spoiler_block", _spoiler_block, {"alt": interrupts})
    md.inline.ruler.after("backticks", "spoiler", _inline_spoiler)
    md.inline.ruler.after("text", "fansite_bare_url", _bare_url)
    md.core.ruler.push("fansite_headings", _demote_headings)
    md.core.ruler.push("fansite_table_alignment", _table_alignment_classes)
    md.core.ruler.push("fansite_images", _rewrite_images)
    md.core.ruler.push("fansite_quote_attribution", _attribute_quotes)
    md.core.ruler.push("fansite_mentions", _link_mentions)
    md.add_render_rule("spoiler_open", _render_spoiler_open)
    md.add_render_rule("spoiler_close", _render_spoiler_close)
    md.add_render_rule("spoiler_block_open", _render_spoiler_block_open)
    md.add_render_rule("spoiler_block_close", _render_spoiler_block_close)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("s_open", _render_del_open)
    md.add_render_rule("s_close", _render_del_close)
    md.add_render_rule("quoted_spoiler", _render_quoted_spoiler)
    return md


_PARSER = _build_parser()


# --- Sanitizing ---------------------------------------------------------------------------

_TAGS = frozenset(
    {
        *("p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote"),
        *("ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6"),
        *("table", "thead", "tbody", "tr", "th", "td"),
        *("label", "input", "span", "details", "summary", "div", "figure", "figcaption"),
    }
)
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_CLASSES = {
    "label": {"spoiler"},
    "input": {"spoiler__toggle"},
    "span": {"spoiler__cover", "spoiler__content"},
    "details": {"spoiler-block"},
    "div": {"spoiler-block__content"},
    "figure": {"quote"},
    "a": {"mention"},
    "th": {f"align-{alignment}" for alignment in _ALIGNMENTS},
    "td": {f"align-{alignment}" for alignment in _ALIGNMENTS},
}


def _cleaner(*, trusted: bool) -> nh3.Cleaner:
    tags = _TAGS | {"img"} if trusted else _TAGS
    attributes = {**_ATTRIBUTES, "img": {"src", "alt"}} if trusted else _ATTRIBUTES
    return nh3.Cleaner(
        tags=tags,
        attributes=attributes,
        allowed_classes=_CLASSES,
        # Whatever reaches the sanitizer, an <input> can only ever be a checkbox.
        tag_attribute_values={"input": {"type": {"checkbox"}}, "img": {"loading": {"lazy"}}},
        set_tag_attribute_values={"input": {"type": "checkbox"}},
        url_schemes=set(_SAFE_SCHEMES),
        url_relative="pass_through",
        link_rel="noopener" if trusted else "nofollow ugc noopener",
        strip_comments=True,
    )


_CLEANER = _cleaner(trusted=False)
_TRUSTED_CLEANER = _cleaner(trusted=True)


# --- Quoting spoilers by reference ------------------------------------------------------------
#
# Quoting must not show the quoting member the spoilers they never opened, so a quote copies
# each spoiler's markup but not its content: ">!⟦spoiler 2 of comment 34⟧!<", or a block
# spoiler whose only line is such a reference. render_markdown(quoted_spoilers=...) puts the
# source's content back into the HTML, still inside the spoiler. A reference only resolves as
# the whole content of a spoiler of the same kind as the one it names; anywhere else it is
# literal text. Sources are opaque numbers here: which ones a text may draw from is the
# caller's decision (the hook), and their HTML is what the caller stored for them.

SPOILER_UNAVAILABLE = "[spoiler unavailable]"
_INLINE = "inline"
_BLOCK = "block"
_REFERENCE_RE = re.compile(
    r"⟦[ \t]*spoiler[ \t]+([0-9]{1,4})[ \t]+of[ \t]+comment[ \t]+([0-9]{1,18})[ \t]*⟧",
    re.IGNORECASE,
)
_NEWLINES_RE = re.compile(r"\r\n?")
_NOT_A_PREFIX_RE = re.compile(r"[^>\s]")

# (hrefs of the links inside block quotes, sources named by references) -> {source: its
# stored HTML} for the sources the text may draw from.
QuotedSpoilers = Callable[[frozenset[str], frozenset[int]], Mapping[int, str]]


def spoiler_reference(source: int, index: int) -> str:
    """The text that stands for the `index`-th spoiler (from 1) of comment `source`."""
    return f"⟦spoiler {index} of comment {source}⟧"


def spoiler_reference_sources(text: str) -> set[int]:
    """The sources every spoiler reference in `text` names, wherever it stands (even where
    it would not resolve)."""
    return {int(match[2]) for match in _REFERENCE_RE.finditer(text)}


def _outermost_spoilers(tokens: Sequence[Token]) -> Iterator[tuple[str, Token, Token | None]]:
    """(kind, opening token, inline parent) of each spoiler that is not inside another, in
    document order: the order of the spoiler elements in the rendered HTML. Spoilers in an
    image's alt text are not among them: they render as "[spoiler]"."""
    depth = 0
    for token in tokens:
        if token.type == "spoiler_block_open":
            if depth == 0:
                yield _BLOCK, token, None
            depth += 1
        elif token.type == "spoiler_block_close":
            depth -= 1
        elif token.type == "inline" and depth == 0:
            for child in token.children or ():
                if child.type == "spoiler_open":
                    yield _INLINE, child, token


def _lone_inline_text(children: Sequence[Token], start: int) -> str | None:
    """The text of an inline spoiler whose content (from `start`) is one text token."""
    if (
        start + 1 < len(children)
        and children[start].type == "text"
        and children[start + 1].type == "spoiler_close"
    ):
        return children[start].content
    return None


def _lone_block_text(tokens: Sequence[Token], start: int) -> str | None:
    """The text of a block spoiler whose content (from `start`) is one plain paragraph."""
    inner = tokens[start : start + 4]
    if (
        len(inner) == 4
        and [token.type for token in inner]
        == ["paragraph_open", "inline", "paragraph_close", "spoiler_block_close"]
        and len(inner[1].children or ()) == 1
        and inner[1].children[0].type == "text"  # type: ignore[index]
    ):
        return inner[1].children[0].content  # type: ignore[index]
    return None


def _every_spoiler(tokens: Sequence[Token]) -> Iterator[tuple[str, str | None]]:
    """(kind, lone text of its content or None) of every spoiler, nested ones and those in
    alt text included."""
    for index, token in enumerate(tokens):
        if token.type == "spoiler_block_open":
            yield _BLOCK, _lone_block_text(tokens, index + 1)
        elif token.type == "spoiler_open":
            yield _INLINE, _lone_inline_text(tokens, index + 1)
        if token.children:
            yield from _every_spoiler(token.children)


def _spoiler_edit(
    text: str,
    line_starts: list[int],
    spoiler: tuple[str, Token, Token | None],
    reference: str,
    cursor: int,
) -> tuple[int, int, str] | None:
    """(start, stop, replacement) that puts `reference` in place of one spoiler's content in
    `text`, or None when its content cannot be found after `cursor`."""
    kind, token, parent = spoiler

    def offset(line: int) -> int:
        return line_starts[line] if line < len(line_starts) else len(text)

    if kind == _BLOCK:
        # Every line between the opener and the closer (or the end of the spoiler's container)
        # goes; one line with the opener's quote markers and indentation replaces them.
        first, end = token.map or (0, 0)
        prefix = _NOT_A_PREFIX_RE.sub(" ", token.meta["prefix"])
        start, stop = offset(first + 1), offset(end)
        lead = "" if start == 0 or text[start - 1] == "\n" else "\n"
        closer = "" if token.meta["closed"] else f"{prefix}:::\n"
        return start, stop, f"{lead}{prefix}{reference}\n{closer}"
    if parent is None or parent.map is None:
        return None
    # The content as the inline rule saw it, found in the source lines of its paragraph (or
    # heading, or table row): continuation lines there carry quote markers and indentation.
    lines = token.content.split("\n")
    pattern = re.escape(SPOILER_OPEN + lines[0])
    for line in lines[1:]:
        pattern += r"[ \t]*\n[ \t>]*" + re.escape(line.lstrip(" \t"))
    pattern += re.escape(SPOILER_CLOSE)
    first, end = parent.map
    match = re.compile(pattern).search(text, max(cursor, offset(first)), offset(end))
    if match is None:
        return None
    return match.start(), match.end(), f"{SPOILER_OPEN}{reference}{SPOILER_CLOSE}"


def quote_spoilers_by_reference(text: str, *, source: int) -> str | None:
    """`text` (the Markdown of comment `source`) with the content of each of its outermost
    spoilers replaced by a reference to it, ``⟦spoiler n of comment source⟧``: the markup,
    block labels and everything outside spoilers are kept. None when that cannot be done
    exactly (a spoiler in an image's alt text, say): the result is checked by parsing it, and
    the caller then has to quote without the spoilers' markup."""
    text = _NEWLINES_RE.sub("\n", text).replace("\0", "\ufffd")
    if SPOILER_OPEN not in text and ":::" not in text:
        return text
    spoilers = list(_outermost_spoilers(_PARSER.parse(text, {})))
    line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
    parts: list[str] = []
    cursor = 0
    for index, spoiler in enumerate(spoilers, start=1):
        edit = _spoiler_edit(text, line_starts, spoiler, spoiler_reference(source, index), cursor)
        if edit is None or edit[0] < cursor:
            return None
        start, stop, replacement = edit
        parts += [text[cursor:start], replacement]
        cursor = stop
    parts.append(text[cursor:])
    quoted = "".join(parts)
    expected = [(kind, spoiler_reference(source, n)) for n, (kind, *_) in enumerate(spoilers, 1)]
    found = list(_every_spoiler(_PARSER.parse(quoted, {"plain_text": True})))
    if found != expected or plain_text(quoted) != plain_text(text):
        return None
    return quoted


class _SpoilerContents(HTMLParser):
    """The inner HTML of each outermost spoiler in HTML this module rendered."""

    _CONTAINERS = (("span", "spoiler__content", _INLINE), ("div", "spoiler-block__content", _BLOCK))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self.kind: str | None = None
        self.tag = ""
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.kind is None:
            classes = (dict(attrs).get("class") or "").split()
            for name, class_name, kind in self._CONTAINERS:
                if tag == name and class_name in classes:
                    self.kind, self.tag, self.depth, self.parts = kind, tag, 1, []
            return
        if tag == self.tag:
            self.depth += 1
        self.parts.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.kind is not None:
            self.parts.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.kind is None:
            return
        if tag == self.tag:
            self.depth -= 1
            if self.depth == 0:
                self.found.append((self.kind, "".join(self.parts)))
                self.kind = None
                return
        self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.kind is not None:
            self.parts.append(escape(data, quote=False))


def _spoiler_contents(html: str) -> list[tuple[str, str]]:
    parser = _SpoilerContents()
    parser.feed(html)
    parser.close()
    return parser.found


def _quoted_token(kind: str, html: str | None) -> Token:
    token = Token("quoted_spoiler", "", 0)
    if html is None:
        unavailable = escape(gettext(SPOILER_UNAVAILABLE))
        html = f"<p>{unavailable}</p>\n" if kind == _BLOCK else unavailable
    # A block's content starts on a new line after its <div>, which the opener writes.
    token.content = html.removeprefix("\n") if kind == _BLOCK else html
    token.block = kind == _BLOCK
    return token


def _resolve_references(tokens: list[Token], quoted_spoilers: QuotedSpoilers) -> None:
    """Replace the content of every spoiler that is nothing but a reference by the content of
    the spoiler it names, or by "[spoiler unavailable]": the hook decides which sources may be
    drawn from, given the links inside block quotes (a quote's heading links its source)."""
    # (list holding the tokens, first, how many, kind, source, index)
    references: list[tuple[list[Token], int, int, str, int, int]] = []
    quoted_links: set[str] = set()
    quote_depth = 0
    for position, token in enumerate(tokens):
        if token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type == "spoiler_block_open":
            content = _lone_block_text(tokens, position + 1)
            match = _REFERENCE_RE.fullmatch(content.strip()) if content else None
            if match:
                references.append((tokens, position + 1, 3, _BLOCK, int(match[2]), int(match[1])))
        elif token.type == "inline" and token.children:
            children = token.children
            for index, child in enumerate(children):
                if child.type == "link_open" and quote_depth:
                    quoted_links.add(str(child.attrGet("href") or ""))
                elif child.type == "spoiler_open":
                    content = _lone_inline_text(children, index + 1)
                    match = _REFERENCE_RE.fullmatch(content.strip()) if content else None
                    if match:
                        references.append(
                            (children, index + 1, 1, _INLINE, int(match[2]), int(match[1]))
                        )
    if not references:
        return
    sources = quoted_spoilers(
        frozenset(quoted_links), frozenset(reference[4] for reference in references)
    )
    contents = {source: _spoiler_contents(html) for source, html in sources.items()}
    # Last first, so that replacing three tokens by one leaves earlier positions valid.
    for container, first, count, kind, source, index in reversed(references):
        found = contents.get(source, [])
        html = None
        if 0 < index <= len(found) and found[index - 1][0] == kind:
            html = found[index - 1][1]
        container[first : first + count] = [_quoted_token(kind, html)]


# --- Public API -----------------------------------------------------------------------------


def render_markdown(
    text: str,
    *,
    trusted: bool = False,
    quoted_spoilers: QuotedSpoilers | None = None,
    mentions: bool = False,
) -> str:
    """Markdown -> sanitized HTML. trusted=True is for staff-written articles.

    With `quoted_spoilers`, spoilers whose whole content is a reference to another text's
    spoiler (``>!⟦spoiler 2 of comment 34⟧!<``) get that spoiler's content, or "[spoiler
    unavailable]" when the hook does not return its source (see _resolve_references).
    """
    env: EnvType = {"trusted": trusted}
    if mentions and _mention_resolver is not None:
        env["mentions"] = _mention_resolver
    tokens = _PARSER.parse(text, env)
    if quoted_spoilers is not None:
        _resolve_references(tokens, quoted_spoilers)
    html = _PARSER.renderer.render(tokens, _PARSER.options, env)
    cleaner = _TRUSTED_CLEANER if trusted else _CLEANER
    return cleaner.clean(html)


def plain_text(text: str) -> str:
    """Spoiler-free plain text of a Markdown source: markup stripped, every inline spoiler
    replaced by "[spoiler]", every block spoiler by "[spoiler]", whitespace collapsed.
    For page titles, meta descriptions, feeds, excerpts, notifications.

    The result is not escaped: it is text, to be escaped wherever it is put into HTML.
    """
    parts: list[str] = []
    hidden_level: int | None = None
    for token in _PARSER.parse(text, {"plain_text": True}):
        if hidden_level is not None:
            if token.type == "spoiler_block_close" and token.level == hidden_level:
                hidden_level = None
            continue
        if token.type == "spoiler_block_open":
            parts.append(gettext(SPOILER_PLACEHOLDER))
            hidden_level = token.level
        elif token.type == "inline":
            parts.append(_inline_text(token.children))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
    return " ".join(" ".join(parts).split())


def excerpt(text: str, length: int = 200) -> str:
    """plain_text() cut at a word boundary to at most `length` chars, with "…" if cut.

    Pages ask for the same few (a thread's opening post, for its meta description,
    on every render of each of its pages), and parsing the Markdown again took
    about 40 us for a short post, more for a long one: this process keeps the last
    ones, for each language (the spoiler placeholder is translated). A text longer
    than a comment may be is not kept: the kept texts stay under 256 of those
    (about 10 MB at the very most)."""
    if len(text) > EXCERPT_KEPT_MAX:
        return _cut(text, length)
    return _kept_excerpt(text, length, get_language())


EXCERPT_KEPT_MAX = 10_000


@lru_cache(maxsize=256)
def _kept_excerpt(text: str, length: int, language: str | None) -> str:
    return _cut(text, length)


def _cut(text: str, length: int) -> str:
    plain = plain_text(text)
    if len(plain) <= length:
        return plain
    if length < len(ELLIPSIS):
        return ""
    cut = plain[: length - len(ELLIPSIS)]
    if plain[len(cut)] != " ":  # the cut fell inside a word: drop the partial word
        boundary = cut.rfind(" ")
        if boundary > 0:
            cut = cut[:boundary]
    return cut.rstrip(" ,;:") + ELLIPSIS
