"""Template helpers for episode-aware spoiler gating (see fansite.spoilers)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from fansite.spoilers import groups, reveals
from fansite.spoilers.readers import reader_for

register = template.Library()


@register.filter
def hides(reader, item):
    """{% if reader|hides:comment %} — leave the item's text out of the page."""
    return reader.hides(item)


@register.filter
def spoils(reader, item):
    """{% if reader|spoils:thread %} — the item is beyond the reader's progress."""
    return reader.spoils(item)


@register.simple_tag
def gates_key(group, group_board=""):
    """{% gates_key group group_board as key %}{% drawn "gate-group" key … %}: what a
    group of gates shows of its items; their boards' titles only when the list names
    no board for all of them."""
    return group.drawn_key(with_boards=not group_board)


@register.simple_tag
def reveal_value(item, anchor=""):
    """What a Show button sends to the reveal endpoint: the item and where to land.

    The button belongs to the page's one reveal form (``form="spoiler-reveal"``,
    in base.html), which carries the CSRF token and the page's address.
    """
    return reveals.reveal_value(item, anchor)


@register.simple_tag(takes_context=True)
def revealed_url(context, item):
    """``item``'s address, carrying the reader's token for it when they revealed it
    on this page (a thread in a list opens readable)."""
    reader = reader_for(context["request"])
    return reveals.revealed_url(item.get_absolute_url(), item, reader)


@register.simple_tag(takes_context=True)
def reader(context):
    """The request's Reader: {% reader as reader %}."""
    return reader_for(context["request"])


@register.simple_tag(takes_context=True)
def group_gates(context, items):
    """``items`` with runs of gated rows folded into one entry each (see
    fansite.spoilers.groups): {% group_gates page_obj as entries %}; an entry is an
    item or a group (``entry.is_gate_group``)."""
    return groups.group_gates(items, reader_for(context["request"]))


@register.simple_tag
def spoiler_gate(item, anchor="", tag="div", gate_board="", gate_replies=None):
    """A gated item: its label and a Show button, which submits the page's one
    reveal form (``form="spoiler-reveal"`` in base.html, carrying the CSRF token and
    the page's address). Never the item's title or text. A thread in a list passes
    ``gate_board`` (its board's title) and ``gate_replies`` (its reply count), which
    the label adds: "Spoiler for episode 9 · Episode 9 board · 60 replies".

    Written here rather than by an included template: a list can hold thirty. It
    ends with a line break, as the included template it replaces did."""
    tag = "span" if tag == "span" else "div"
    level = item.spoiler_level
    said = gettext("Spoiler for episode %(level)s") % {"level": level}
    if gate_board:
        replies = gate_replies or 0
        label = format_html(
            '<span class="spoiler-gate__level">{}</span>'
            '<span class="spoiler-gate__about"> · {} · {}</span>',
            said,
            gettext("%(board)s board") % {"board": gate_board},
            ngettext("%(counter)s reply", "%(counter)s replies", replies) % {"counter": replies},
        )
    else:
        label = said
    return format_html(
        '<{} class="spoiler-gate" role="note"><span class="spoiler-gate__label">{}</span> '
        '<button class="spoiler-gate__show" type="submit" form="spoiler-reveal" name="reveal" '
        'value="{}">{}<span class="visually-hidden"> {}</span></button></{}>\n',
        mark_safe(tag),
        label,
        reveals.reveal_value(item, anchor),
        gettext("Show"),
        gettext("spoiler for episode %(level)s") % {"level": level},
        mark_safe(tag),
    )
