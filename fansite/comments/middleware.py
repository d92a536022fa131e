"""Fills in a member's own actions on every comment card: Edit and Delete on their
comments, Report on other members', Raise spoiler episode for spoiler guards.

Cards carry ``<!--comments:actions:<pk>:<author pk>:<v|h>-->`` (v: visible,
h: hidden by moderators) on members' pages, the same for every member, so the
pages (fansite.spoilers.caching) and cards (fansite.comments.cards) that members
share carry them too. Visitors' pages have none.
"""

import re

from django.utils.html import format_html
from django.utils.translation import gettext

from fansite.web import markers
from fansite.web.markers import MarkerMiddleware
from fansite.web.reversing import reverse_id

_PREFIX = b"<!--comments:actions:"
_MARKER = re.compile(rb"<!--comments:actions:([0-9]{1,18}):([0-9]{1,18}):([vh])-->")


class CommentActionsMiddleware(MarkerMiddleware):
    prefix = _PREFIX

    def fill(self, request, content):
        found = markers.find(content, _PREFIX, _MARKER)
        user = request.user
        if not user.is_authenticated:
            return markers.replace(content, found, lambda match: b"")
        links = _Links(user)
        return markers.replace(content, found, links.html)


class _Links:
    """The links for one member, with the labels translated once a page."""

    def __init__(self, user):
        self.member = user.pk
        self.guard = user.acts_as_spoiler_guard
        self.edit = gettext("Edit")
        self.delete = gettext("Delete")
        self.report = gettext("Report")
        self.report_more = gettext("this comment")
        self.raise_level = gettext("Raise spoiler episode")
        self.raise_more = gettext("of this comment")

    def html(self, match):
        pk, author, visible = int(match[1]), int(match[2]), match[3] == b"v"
        if author == self.member:
            if not visible:
                return b""
            return format_html(
                '\n<li><a href="{}" rel="nofollow">{}</a></li>'
                '\n<li><a href="{}" rel="nofollow">{}</a></li>',
                reverse_id("comments:comment_edit", pk=pk),
                self.edit,
                reverse_id("comments:comment_delete", pk=pk),
                self.delete,
            ).encode()
        parts = []
        if visible:
            # Not when hidden: moderators have already dealt with it.
            parts.append(
                format_html(
                    '\n<li><a href="{}" class="comment__report report-link" rel="nofollow">'
                    '{}<span class="visually-hidden"> {}</span></a></li>',
                    reverse_id("moderation:report_create", "comment", pk=pk),
                    self.report,
                    self.report_more,
                )
            )
            if self.guard:
                parts.append(
                    format_html(
                        '\n<li><a href="{}" class="comment__guard" rel="nofollow">'
                        '{}<span class="visually-hidden"> {}</span></a></li>',
                        reverse_id("moderation:guard_raise", "comment", pk=pk),
                        self.raise_level,
                        self.raise_more,
                    )
                )
        return "".join(parts).encode()
