"""Template helpers for episode-aware spoiler gating (see fansite.spoilers)."""

from django import template

from fansite.spoilers import reveals
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


@register.simple_tag(takes_context=True)
def reveal_url(context, item, anchor=""):
    """The current page's address with ``item`` added to the revealed items.

    Other query parameters (the page number, earlier reveals) are kept, so
    revealing one item never hides another.
    """
    return reveals.reveal_url(context["request"], item, anchor)


@register.simple_tag(takes_context=True)
def reader(context):
    """The request's Reader: {% reader as reader %}."""
    return reader_for(context["request"])
