from django import template

register = template.Library()


@register.filter
def chosen_time_zone(user):
    """``{{ user|chosen_time_zone }}``: the time zone a member chose, or "" (a
    visitor, or a member who chose none). A visitor has no ``time_zone``, and
    asking the template language for it costs a failed lookup on every page."""
    if not getattr(user, "is_authenticated", False):
        return ""  # a visitor, or no user at all (an error page drawn bare)
    return getattr(user, "time_zone", "")
