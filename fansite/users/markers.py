"""The header's link to the member's own profile, filled in after the page cache."""

import re

from django.utils.html import format_html

from fansite.web.lru import LocalLRU
from fansite.web.markers import Filler

from .avatars import avatar_html

# Links as drawn, per process, for members without an uploaded avatar (an uploaded
# one's address may be signed for a while only): keyed by everything they show.
_drawn = LocalLRU(max_bytes=1024 * 1024)
_DRAWN_SECONDS = 5 * 60


class HeaderMarkers(Filler):
    """Pages shared by every member (fansite.spoilers.caching) carry only the marker
    ``<!--users:me-->`` where the header's link to the member's profile (their avatar
    and name) goes: it is written here for whoever asks."""

    name = b"users"
    pattern = re.compile(rb"<!--users:me-->")
    members_only = True

    def fill(self, request, matches):
        user = request.user
        link = header_link(user)
        return lambda match: link


def header_link(user) -> bytes:
    if user.has_avatar:
        return _draw(user)
    key = (user.pk, user.username, user.display_name)
    link = _drawn.get(key)
    if link is None:
        link = _draw(user)
        _drawn.put(key, link, _DRAWN_SECONDS)
    return link


def _draw(user) -> bytes:
    return format_html(
        '<li><a href="{}" class="user-nav__me">{}<span>{}</span></a></li>',
        user.get_absolute_url(),
        avatar_html(user, 48),
        user.public_name,
    ).encode()
