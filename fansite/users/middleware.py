"""Times in the member's own time zone."""

import zoneinfo

from django.utils import timezone

from fansite.web.unavailable import DATABASE_ERRORS, unavailable_response


def chosen_zone_name(user) -> str:
    """The name of the zone a member chose, or "" (a visitor, no choice, or no user
    at all: an error page drawn without one)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return getattr(user, "time_zone", "") or ""


def member_zone(user):
    """The member's chosen zone, or None (a visitor, no choice, or a zone this
    server's time zone database no longer knows)."""
    name = chosen_zone_name(user)
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class MemberTimeZoneMiddleware:
    """Render the page in the member's time zone (Settings → Profile). Visitors and
    members without one get TIME_ZONE (UTC), which static/js/local-time.js turns
    into the browser's zone. Cached pages vary by the active zone
    (fansite.web.pagecache), so one member's times are never served to another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Asking who the member is needs the database. When it cannot be reached
        # the answer is the 503 page at once, as the notice middleware answers it,
        # not an error logged as a crash.
        try:
            zone = member_zone(request.user)
        except DATABASE_ERRORS as error:
            return unavailable_response(request, error)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
