"""Fills in what a conversation page shows of the reader asking and of the thread
as it is now, after the page cache.

- A member's own actions on every comment card: Edit and Delete on their
  comments, Report on other members', Raise spoiler episode for spoiler guards.
  Cards carry ``<!--comments:actions:<pk>:<author pk>:<v|h>-->`` (v: visible,
  h: hidden by moderators) on members' pages, the same for every member, so the
  pages (fansite.spoilers.caching) and cards (fansite.comments.cards) that
  members share carry them too. Visitors' pages have none.
- A thread's counts, which change with every comment while most of its pages
  do not (fansite.comments.threadpages): ``<!--comments:posts:<pk>-->`` (the
  conversation's heading), ``<!--comments:replies:<pk>-->`` (the thread's
  header) and ``<!--comments:pages:<pk>:<n>-->`` (the page links of page n).
"""

import re

from django.core.paginator import Paginator
from django.template import Context
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from fansite.web import markers
from fansite.web.markers import MarkerMiddleware
from fansite.web.reversing import reverse_id

from . import threadpages

_PREFIX = b"<!--comments:"
_MARKER = re.compile(
    rb"<!--comments:(actions|posts|replies|pages):([0-9]{1,18})"
    rb"(?::([0-9]{1,18}))?(?::([vh]))?-->"
)


class CommentActionsMiddleware(MarkerMiddleware):
    prefix = _PREFIX

    def fill(self, request, content):
        found = markers.find(content, _PREFIX, _MARKER)
        user = request.user
        links = _Links(user) if user.is_authenticated else None
        counts = {}

        def html(match):
            kind = match[1]
            if kind == b"actions":
                return links.html(match) if links is not None else b""
            pk = int(match[2])
            if pk not in counts:
                counts[pk] = threadpages.counts_for(request, pk)
            total, top_level, replies = counts[pk]
            if kind == b"posts":
                return (
                    ngettext("%(counter)s post", "%(counter)s posts", total) % {"counter": total}
                ).encode()
            if kind == b"replies":
                return (
                    ngettext("%(counter)s reply", "%(counter)s replies", replies)
                    % {"counter": replies}
                ).encode()
            return _page_links(request, int(match[3]), top_level).encode()

        return markers.replace(content, found, html)


def _page_links(request, number, top_level):
    """The page links of page ``number`` of a conversation with ``top_level`` top-level
    comments: includes/_pagination.html, as the page would have drawn them."""
    paginator = Paginator(range(top_level), threadpages.per_page())
    page_obj = paginator.get_page(number)
    context = Context(
        {
            "request": request,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "label": gettext("Comment pages"),
            "previous_label": gettext("Earlier"),
            "next_label": gettext("Later"),
            "fragment": "comments",
        },
        autoescape=True,
    )
    return get_template("includes/_pagination.html").template.render(context)


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
        pk, author, visible = int(match[2]), int(match[3]), match[4] == b"v"
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
