"""Template helpers for moderation seen from the member's side."""

from django import template

from fansite.threads.selectors import shown_to

register = template.Library()


@register.filter(name="shown_to")
def shown_to_filter(items, user):
    """``{% with threads=threads|shown_to:user %}``: the threads or comments of a
    list built elsewhere that ``user`` may see (hidden threads, and comments in
    them, only for moderators)."""
    return shown_to(user, items or [])
