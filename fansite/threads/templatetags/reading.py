"""Template tags for read tracking (docs/reading.md): {% load reading %}."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from fansite.spoilers import reveals
from fansite.spoilers.readers import reader_for

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_url(context, thread):
    """Where "N new" leads: the jump to the thread's first unread comment, carrying
    the reader's token for the thread when they revealed it in the list, so the
    thread opens as readable as its title was."""
    url = reverse("threads:thread_unread", kwargs={"pk": thread.pk})
    return reveals.revealed_url(url, thread, reader_for(context["request"]))


@register.simple_tag(takes_context=True)
def unread_marker(context, thread):
    """A member's read state of ``thread`` in a list, at the end of its meta line:
    "· 3 new" linking to the first unread comment, or "· New" for a thread started
    since they joined and never opened. Only a marker here, filled in per request
    after the page cache (fansite.comments.markers, docs/reading.md), so lists are
    shared by members and reading a thread drops no page. Visitors' rows have none.
    Never shows text of the thread. A tag, not an included template: a list has
    thirty rows."""
    if not context["request"].user.is_authenticated:
        return ""
    return mark_safe(f"<!--comments:unread:{thread.pk}:{thread.spoiler_level or 0}-->")
