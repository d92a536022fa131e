"""The reactions bar under a comment, built in Python: it is filled into pages
after the page cache (fansite.reactions.markers), up to a hundred times per
page, where a template per bar would cost more than the rest of the page. The
per-page parts (addresses, escaped labels, the member's token) are worked out
once (``Bars``); each bar is then string joins of numbers and those parts.

Three forms, by what the reader may see and do (the card's marker says which):

- ``FULL``: for members who may react, a form whose buttons are the reactions
  the comment has (or the member gave), each pressed or not, and a "React" link
  to the full set (a page of its own without JavaScript; site.js opens the
  set in place from the page's one ``picker`` template); a comment without
  reactions gets the link alone, which site.js makes a form when it is used;
  counts only for visitors;
- ``OWN``: counts only (the reader's own comment, or a member who may not react);
- ``TOTAL``: the total alone, for a comment gated for this reader: the breakdown
  is not needed, and "Who reacted" is not offered.
"""

from urllib.parse import quote

from django.utils.html import escape
from django.utils.translation import get_language, gettext, ngettext

from fansite.web.lru import ClearedWhenFull
from fansite.web.markers import TOKEN_HOLE, around_token
from fansite.web.reversing import id_url_parts

FULL, OWN, TOTAL = "a", "o", "t"

# Bars the same for every reader: {(comment, mode, language): (counts, kinds, bytes)}.
_drawn = ClearedWhenFull(50_000)


def address(name):
    """``name``'s address with ``{}`` for the comment (fansite.web.reversing: one
    ``reverse`` per process)."""
    before, after = id_url_parts(name)
    return f"{before}{{}}{after}"


def people_reacted(n, label):
    return ngettext(
        "%(count)s person reacted %(label)s", "%(count)s people reacted %(label)s", n
    ) % {"count": n, "label": label}


def total_text(n):
    return ngettext("%(count)s reaction", "%(count)s reactions", n) % {"count": n}


class _Parts:
    """What every page's bars share for the same kinds and language, escaped once per
    process: the kinds, the addresses, the labels and what is said of each count."""

    _known = ClearedWhenFull(64)  # id(kinds), language → _Parts

    @classmethod
    def of(cls, kinds, language):
        key = (id(kinds), language)
        parts = cls._known.get(key)
        if parts is None or parts.source_kinds is not kinds:
            parts = cls._known[key] = cls(kinds)
        return parts

    def __init__(self, kinds):
        self.source_kinds = kinds
        self.kinds = [(k.pk, escape(k.slug), escape(k.emoji), escape(k.label)) for k in kinds]
        self.react_url = address("reactions:react")
        self.who_url = address("reactions:reactors")
        self.who_text = escape(gettext("Who reacted"))
        self.react_text = escape(gettext("React"))
        self.group_text = escape(gettext("Reactions"))
        self.said = {}
        self.picker = None  # Bars.picker_pieces


class Bars:
    """The bars of one page: ``kinds`` (enabled, in order), whether the reader may
    react, their CSRF token and the page's own address (where forms come back)."""

    def __init__(self, kinds, *, can_react, token="", path="", language=None):
        self.source_kinds = kinds
        self.language = language or get_language()
        parts = self._parts = _Parts.of(kinds, self.language)
        self.kinds = parts.kinds
        self.react_url = parts.react_url
        self.who_url = parts.who_url
        self.who_text = parts.who_text
        self.react_text = parts.react_text
        self.group_text = parts.group_text
        self._said = parts.said
        self.can_react = can_react
        self.token = escape(token)
        self.path = escape(path)
        self.query_path = escape(quote(path, safe="/"))

    def _people(self, n, label):
        said = self._said.get((n, label))
        if said is None:
            said = self._said[n, label] = escape(people_reacted(n, label))
        return said

    def _button(self, slug, emoji, label, n, pressed, *, counted=True):
        said = f"{label}. {self._people(n, label)}" if counted else label
        return (
            f'<button type="submit" class="reaction{" is-pressed" if pressed else ""}" '
            f'name="react" value="{slug}:{"off" if pressed else "on"}" '
            f'aria-pressed="{"true" if pressed else "false"}"><span aria-hidden="true">'
            f'{emoji}{f" {n}" if n else ""}</span><span class="visually-hidden">{said}'
            "</span></button>"
        )

    def drawn(self, pk, mode, counts):
        """``bar(pk, mode, counts)`` as bytes, for a bar that is the same for every
        reader (counts alone: neither token nor address in it), drawn once for as
        long as this process keeps the same ``counts`` (fansite.reactions.state
        keeps them REACTION_COUNTS_SECONDS): a visitor's page fills its fifty bars
        from here."""
        key = (pk, mode, self.language)
        found = _drawn.get(key)
        if found is not None and found[0] is counts and found[1] is self.source_kinds:
            return found[2]
        html = self.bar(pk, mode, counts).encode()
        _drawn[key] = (counts, self.source_kinds, html)
        return html

    def member_pieces(self, pk, counts, given):
        """``bar(pk, FULL, counts, given)`` for a member who may react, as the bytes
        around their CSRF token (``around_token``: ``with_token`` puts it in). A bar
        the member gave nothing to is the same for every member on this page, so it
        is cut once for as long as this process keeps the same ``counts``."""
        if given:
            return around_token(self.bar(pk, FULL, counts, given, token=TOKEN_HOLE))
        key = (pk, "member", self.language, self.path)
        found = _drawn.get(key)
        if found is None or found[0] is not counts or found[1] is not self.source_kinds:
            pieces = around_token(self.bar(pk, FULL, counts, token=TOKEN_HOLE))
            found = _drawn[key] = (counts, self.source_kinds, pieces)
        return found[2]

    def bar(self, pk, mode, counts, given=(), *, every_kind=False, token=None):
        """One comment's bar (a ``str``), or "" when there is nothing to show.
        ``every_kind``: a button for every kind, and no "React" link (the page
        that link leads to without JavaScript). ``token``: the CSRF token in its
        form, when not the reader's own."""
        total = sum(counts.get(kind[0], 0) for kind in self.kinds)
        if mode == TOTAL:
            if not total:
                return ""
            return f'<p class="reactions reactions--total">{escape(total_text(total))}</p>'
        who = (
            f' <a class="reactions__who" href="{self.who_url.format(pk)}">{self.who_text}</a>'
            if total
            else ""
        )
        if mode == FULL and self.can_react:
            if not (total or given or every_kind):
                # Most comments: the link alone. site.js makes it a form (from the
                # page's one #reaction-form) when it is used.
                return self.bare(pk)
            buttons = "".join(
                self._button(slug, emoji, label, counts.get(kind_pk, 0), kind_pk in given)
                for kind_pk, slug, emoji, label in self.kinds
                if every_kind or counts.get(kind_pk) or kind_pk in given
            )
            action = self.react_url.format(pk)
            add = "" if every_kind else self._add_link(pk)
            back = f"{self.path}#comment-{pk}" if not every_kind else self.path
            return (
                f'<form class="reactions" method="post" action="{action}" data-reactions>'
                '<input type="hidden" name="csrfmiddlewaretoken" '
                f'value="{self.token if token is None else token}">'
                f'<input type="hidden" name="next" value="{back}">'
                f'<span class="reactions__buttons">{buttons}</span>{add}{who}'
                '<span class="reactions__status" role="status"></span></form>'
            )
        if not total:
            return ""
        items = "".join(
            f'<li class="reaction reaction--count"><span aria-hidden="true">{emoji} '
            f'{counts[kind_pk]}</span><span class="visually-hidden">'
            f"{self._people(counts[kind_pk], label)}</span></li>"
            for kind_pk, _slug, emoji, label in self.kinds
            if counts.get(kind_pk)
        )
        return (
            f'<div class="reactions"><ul class="reactions__counts" aria-label="{self.group_text}">'
            f"{items}</ul>{who}</div>"
        )

    def bare(self, pk):
        """The bar of a comment nobody reacted to, for a member who may react: the
        "React" link alone, the same for every member on this page (drawn once)."""
        key = (pk, "bare", self.language, self.query_path, self.react_text)
        found = _drawn.get(key)
        if found is None:
            found = f'<div class="reactions" data-reactions-bare>{self._add_link(pk)}</div>'
            _drawn[key] = found
        return found

    def _add_link(self, pk):
        return (
            f'<a class="reactions__add" href="{self.react_url.format(pk)}?next='
            f'{self.query_path}%23comment-{pk}" rel="nofollow">{self.react_text}</a>'
        )

    def picker_pieces(self):
        """``picker`` around the CSRF token (``around_token``), cut once per process
        for the same kinds and language."""
        parts = self._parts
        if parts.picker is None:
            parts.picker = around_token(self.picker(token=TOKEN_HOLE))
        return parts.picker

    def picker(self, *, token=None):
        """Once per page, for site.js: the full set of buttons it opens in place,
        and the form it wraps around a bare "React" link (``token``: the CSRF token
        in it, when not the reader's own)."""
        buttons = "".join(
            self._button(slug, emoji, label, 0, False, counted=False)
            for _pk, slug, emoji, label in self.kinds
        )
        return (
            '<template id="reaction-picker"><span class="reactions__picker" role="group" '
            f'aria-label="{escape(gettext("Choose a reaction"))}">{buttons}</span></template>'
            '<template id="reaction-form"><form class="reactions" method="post" '
            'data-reactions><input type="hidden" name="csrfmiddlewaretoken" '
            f'value="{self.token if token is None else token}">'
            '<input type="hidden" name="next" value="">'
            '<span class="reactions__buttons"></span>'
            '<span class="reactions__status" role="status"></span></form></template>'
        )
