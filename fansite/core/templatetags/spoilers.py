"""Template helpers for episode-aware spoiler gating (see fansite.core.spoilers)."""

from django import template

from fansite.core.spoilers import REVEAL_PARAM, reader_for

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
    request = context["request"]
    query = request.GET.copy()
    revealed = query.getlist(REVEAL_PARAM)
    if item.reveal_key not in revealed:
        query.setlist(REVEAL_PARAM, [*revealed, item.reveal_key])
    fragment = f"#{anchor}" if anchor else ""
    return f"{request.path}?{query.urlencode()}{fragment}"


@register.simple_tag(takes_context=True)
def reader(context):
    """The request's Reader: {% reader as reader %}."""
    return reader_for(context["request"])
