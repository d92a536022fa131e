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
- A member's read state of each thread in a list (board, episode and home
  pages): ``<!--comments:unread:<pk>:<spoiler level>-->`` becomes "· 3 new"
  (linking to the first unread comment) or "· New", from one query for the
  page (``unread_states``), so lists are shared by members and reading a thread
  drops no cached page (docs/reading.md).
"""

import functools
import re

from django.core.paginator import Paginator
from django.db import connection
from django.template import Context
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from fansite.spoilers.readers import reader_for
from fansite.spoilers.reveals import revealed_url
from fansite.threads.models import Thread, ThreadRead
from fansite.web.lru import LocalLRU
from fansite.web.markers import Filler, reading
from fansite.web.reversing import id_url_parts, reverse_id

from . import threadpages
from .models import Comment


class CommentMarkers(Filler):
    name = b"comments"
    pattern = re.compile(
        rb"<!--comments:(actions|posts|replies|pages|unread):([0-9]{1,18})"
        rb"(?::([0-9]{1,18}))?(?::([vh]))?-->"
    )

    def fill(self, request, matches):
        user = request.user
        page = matches.kept(_Marked)
        filled = [b""] * len(matches)
        if user.is_authenticated and page.actions:
            links = _Links(user, reading(request)[0])
            for (index, pk, author, visible), theirs in zip(
                page.actions, page.links_of_others(links), strict=True
            ):
                filled[index] = links.own(pk, visible) if author == links.member else theirs
        if page.others:
            others = [matches[index] for index in page.others]
            html = _Others(request, others).html
            for index, match in zip(page.others, others, strict=True):
                filled[index] = html(match)
        return filled


class _Marked:
    """A page's comment markers as found (kept with them: ``Matches.memo``): each
    card's actions marker (where, the comment's id, its author, whether visible)
    and the others; and, per language, the links on other members' comments."""

    def __init__(self, matches):
        self.actions, self.others = [], []
        for index, match in enumerate(matches):
            if match[1] == b"actions":
                self.actions.append((index, match[2].decode(), int(match[3]), match[4] == b"v"))
            else:
                self.others.append(index)
        self._theirs = {}

    def links_of_others(self, links):
        """What each card's actions become when the comment is not the reader's."""
        key = (links.parts, links.guard)
        theirs = self._theirs.get(key)
        if theirs is None:
            theirs = self._theirs[key] = [
                links.theirs(pk, visible) for _index, pk, _author, visible in self.actions
            ]
        return theirs


class _Others:
    """The thread's counts, page links and what is new in listed threads."""

    def __init__(self, request, matches):
        self.request = request
        self.counts = {}
        self.unread = _Unread(request, matches)

    def html(self, match):
        kind = match[1]
        request, counts = self.request, self.counts
        if kind == b"unread":
            return self.unread.html(match)
        pk = int(match[2])
        if pk not in counts:
            counts[pk] = threadpages.counts_for(request, pk)
        total, top_level, replies = counts[pk]
        if kind == b"posts" or kind == b"replies":
            return _counted(kind, total if kind == b"posts" else replies, reading(request)[0])
        return _page_links(request, int(match[3]), top_level).encode()


@functools.lru_cache(maxsize=4096)
def _counted(kind, n, language):
    """The words "12 posts" or "1 reply", drawn once per count and language."""
    if kind == b"posts":
        said = ngettext("%(counter)s post", "%(counter)s posts", n)
    else:
        said = ngettext("%(counter)s reply", "%(counter)s replies", n)
    return (said % {"counter": n}).encode()


# Page links as drawn, per process: keyed by everything they show.
_drawn_links = LocalLRU(max_bytes=2 * 1024 * 1024)


def _page_links(request, number, top_level):
    """The page links of page ``number`` of a conversation with ``top_level`` top-level
    comments: includes/_pagination.html, as the page would have drawn them (the
    same address, number and count give the same links, so they are drawn once)."""
    language, path = reading(request)
    key = (path, number, top_level, language)
    html = _drawn_links.get(key)
    if html is None:
        html = _draw_page_links(request, number, top_level)
        _drawn_links.put(key, html, 24 * 60 * 60)
    return html


def _draw_page_links(request, number, top_level):
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
    """The links for one member: each kind's markup built once per language and
    process (labels translated and escaped, addresses around the id), then joined
    around each comment's id: a page has fifty cards."""

    def __init__(self, user, language):
        self.member = user.pk
        self.guard = user.acts_as_spoiler_guard
        self.parts = _link_parts(language, get_script_prefix())
        self.own_parts, self.report, self.raise_level = self.parts

    def own(self, pk, visible):
        """Edit and Delete on the member's own comment (``pk``: its id as text)."""
        if not visible:
            return b""
        before_edit, between, after_delete = self.own_parts
        return f"{before_edit}{pk}{between}{pk}{after_delete}".encode()

    def theirs(self, pk, visible):
        """Report (and Raise spoiler episode for guards) on another member's comment."""
        if not visible:
            return b""  # hidden: moderators have already dealt with it
        html = f"{self.report[0]}{pk}{self.report[1]}"
        if self.guard:
            html += f"{self.raise_level[0]}{pk}{self.raise_level[1]}"
        return html.encode()


@functools.lru_cache(maxsize=16)
def _link_parts(language, script_prefix):
    """The parts of the links ``_Links`` joins around ids, in ``language`` (the
    active one: the labels are translated with it)."""
    edit = _around_id("comments:comment_edit")
    delete = _around_id("comments:comment_delete")
    own = (
        f'\n<li><a href="{edit[0]}',
        f'{edit[1]}" rel="nofollow">{escape(gettext("Edit"))}</a></li>\n<li><a href="{delete[0]}',
        f'{delete[1]}" rel="nofollow">{escape(gettext("Delete"))}</a></li>',
    )
    report = _around_id("moderation:report_create", "comment")
    report = (
        f'\n<li><a href="{report[0]}',
        f'{report[1]}" class="comment__report report-link" rel="nofollow">'
        f'{escape(gettext("Report"))}<span class="visually-hidden"> '
        f"{escape(gettext('this comment'))}</span></a></li>",
    )
    guard = _around_id("moderation:guard_raise", "comment")
    raise_level = (
        f'\n<li><a href="{guard[0]}',
        f'{guard[1]}" class="comment__guard" rel="nofollow">'
        f'{escape(gettext("Raise spoiler episode"))}<span class="visually-hidden"> '
        f"{escape(gettext('of this comment'))}</span></a></li>",
    )
    return own, report, raise_level


def _around_id(name, *fixed):
    """The escaped address of ``name`` before and after the id."""
    before, after = id_url_parts(name, *fixed)
    return escape(before), escape(after)


class _Unread:
    """What is new to the member in each listed thread, read once for the page."""

    def __init__(self, request, matches):
        self.request = request
        pks = [int(match[2]) for match in matches if match[1] == b"unread"]
        user = request.user
        self.states = unread_states(user, pks) if pks and user.is_authenticated else {}
        self.reader = reader_for(request) if self.states else None

    def html(self, match):
        pk = int(match[2])
        count, is_new = self.states.get(pk, (0, False))
        if count:
            item = _Listed(pk, int(match[3]) or None)
            url = revealed_url(reverse_id("threads:thread_unread", pk=pk), item, self.reader)
            if count >= UNREAD_COUNTED_UP_TO:
                said = gettext("%(counter)s+ new") % {"counter": UNREAD_COUNTED_UP_TO}
            else:
                said = ngettext("%(counter)s new", "%(counter)s new", count) % {"counter": count}
            where = gettext("(go to the first unread comment)")
            return (
                f' · <a class="unread-count" href="{escape(url)}">{escape(said)}'
                f'<span class="visually-hidden"> {escape(where)}</span></a>'
            ).encode()
        if is_new:
            return f' · <span class="unread-new">{escape(gettext("New"))}</span>'.encode()
        return b""


class _Listed:
    """A listed thread as the reveal rules see it (its reveal key and level)."""

    def __init__(self, pk, level):
        self.pk = pk
        self.spoiler_level = level
        self.reveal_key = f"t{pk}"


# Lists count a member's unread comments in a thread up to this many, then say
# "100+ new": counting the 9,000 comments a busy thread gained since a member's
# last visit cost each of their list pages a millisecond or more.
UNREAD_COUNTED_UP_TO = 100


def unread_states(member, thread_pks) -> dict[int, tuple[int, bool]]:
    """``{thread: (unread, is new)}`` for ``member``: how many visible comments by
    others came after their read marker (``UNREAD_COUNTED_UP_TO`` when there are
    that many or more), and whether the thread is new to them (never opened,
    started by someone else since they joined). One statement."""
    quote = connection.ops.quote_name
    thread, read, comment = (quote(model._meta.db_table) for model in (Thread, ThreadRead, Comment))
    marks = ", ".join(["%s"] * len(thread_pks))
    unread = (
        f"FROM {comment} c WHERE c.{quote('thread_id')} = t.{quote('id')} "
        f"AND c.{quote('id')} > r.{quote('last_seen_comment_id')} "
        f"AND c.{quote('is_removed')} = %s AND c.{quote('is_hidden')} = %s "
        f"AND (c.{quote('author_id')} IS NULL OR c.{quote('author_id')} <> %s)"
    )
    # Whether there is a last counted one is found by reading that many at most,
    # in whatever order the index gives them; only fewer are counted.
    sql = (
        f"SELECT t.{quote('id')}, r.{quote('last_seen_comment_id')}, "
        f"CASE WHEN t.{quote('created_at')} > %s AND (t.{quote('author_id')} IS NULL "
        f"OR t.{quote('author_id')} <> %s) THEN 1 ELSE 0 END, "
        f"CASE WHEN (SELECT 1 {unread} LIMIT 1 OFFSET {UNREAD_COUNTED_UP_TO - 1}) IS NOT NULL "
        f"THEN {UNREAD_COUNTED_UP_TO} ELSE (SELECT COUNT(*) {unread}) END "
        f"FROM {thread} t LEFT JOIN {read} r ON r.{quote('thread_id')} = t.{quote('id')} "
        f"AND r.{quote('member_id')} = %s WHERE t.{quote('id')} IN ({marks})"
    )
    excluded = [False, False, member.pk]
    params = [member.date_joined, member.pk, *excluded, *excluded, member.pk, *thread_pks]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        pk: (int(unread or 0), last_seen is None and bool(started_since))
        for pk, last_seen, started_since, unread in rows
    }
