"""The header's link to the member's own profile, filled in after the page cache."""

import re

from django.utils.html import format_html

from fansite.web.markers import Filler

from .avatars import avatar_html


class HeaderMarkers(Filler):
    """Pages shared by every member (fansite.spoilers.caching) carry only the marker
    ``<!--users:me-->`` where the header's link to the member's profile (their avatar
    and name) goes: it is written here for whoever asks."""

    name = b"users"
    pattern = re.compile(rb"<!--users:me-->")

    def fill(self, request, matches):
        user = request.user
        if not user.is_authenticated:
            return lambda match: b""
        link = format_html(
            '<li><a href="{}" class="user-nav__me">{}<span>{}</span></a></li>',
            user.get_absolute_url(),
            avatar_html(user, 48),
            user.public_name,
        ).encode()
        return lambda match: link
