"""Template tags for read tracking (docs/reading.md): {% load reading %}."""

from django import template
from django.urls import reverse

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
