from django import template

from fansite.users.middleware import chosen_zone_name

register = template.Library()


@register.filter
def chosen_time_zone(user):
    """``{{ user|chosen_time_zone }}``: the time zone a member chose, or "". A
    visitor has no ``time_zone``, and asking the template language for it costs a
    failed lookup on every page."""
    return chosen_zone_name(user)
