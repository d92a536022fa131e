"""Times in the member's own time zone; the header's link to their profile."""

import zoneinfo

from django.utils import timezone
from django.utils.html import format_html

from fansite.web.markers import MarkerMiddleware
from fansite.web.unavailable import DATABASE_ERRORS, unavailable_response

from .avatars import avatar_html


def member_zone(user):
    """The member's chosen zone, or None (a visitor, no choice, or a zone this
    server's time zone database no longer knows)."""
    name = getattr(user, "time_zone", "") if user.is_authenticated else ""
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


ME_MARKER = b"<!--users:me-->"


class MemberHeaderMiddleware(MarkerMiddleware):
    """Fills in the header's link to the member's own profile (their avatar and
    name): pages shared by every member carry only the marker
    (fansite.spoilers.caching), so it is written here for whoever asks."""

    prefix = ME_MARKER
    members_only = True

    def fill(self, request, content):
        user = request.user
        if not user.is_authenticated:
            return content.replace(ME_MARKER, b"")
        link = format_html(
            '<li><a href="{}" class="user-nav__me">{}<span>{}</span></a></li>',
            user.get_absolute_url(),
            avatar_html(user, 48),
            user.public_name,
        )
        return content.replace(ME_MARKER, link.encode())
