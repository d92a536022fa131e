"""Template helpers for episode-aware spoiler gating (see fansite.spoilers)."""

from django import template

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
