"""Fills in what a thread page holds of the member reading it: which comments are
new to them (and moving their read marker), and their own links on the thread
(Report thread, Edit thread, Raise spoiler episode).

Members share thread pages (fansite.spoilers.caching), so the page carries
markers, the same for every member, and they are filled in here for the member
asking, whether the page came from the cache or not (docs/reading.md,
docs/caching.md):

- ``<!--threads:read:<thread pk>:<g|s>-->`` where the "First new comment" link
  goes; ``g`` when the thread's title is gated for the reader, who was shown its
  gates, not its comments, so nothing is marked read;
- ``<!--threads:new:<pk>:<author pk>-->`` in the class of each comment's list
  item (`` is-new`` for a comment new to them) and
  ``<!--threads:divider:<pk>-->`` where the "New since your last visit" line goes;
- ``<!--threads:report:<pk>:<author pk>-->`` and
  ``<!--threads:own:<pk>:<author pk>:<o|l>-->`` (open or locked) in the thread's
  header.

Visitors' pages carry none of them.
"""

import functools
import re

from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.translation import gettext

from fansite.web import pagecache
from fansite.web.markers import Filler, reading, writes
from fansite.web.reversing import reverse_id

from . import services
from .models import ThreadRead


class ThreadMarkers(Filler):
    name = b"threads"
    pattern = re.compile(
        rb"<!--threads:(read|new|divider|report|own):([0-9]{1,18})(?::([0-9]{1,18}|[gsol]))?"
        rb"(?::([ol]))?-->"
    )
    members_only = True

    def fill(self, request, matches):
        user = request.user
        page = matches.kept(_Marked)
        new, first = _read_state(request, page)
        filler = _Filler(user, first, reading(request)[0])
        # Most markers become nothing: only the comments new to the member, the
        # divider before the first of them and the thread's links are written.
        filled = [b""] * len(matches)
        for pk in new:
            for index in page.new_at[pk]:
                filled[index] = b" is-new"
        for index in page.divider_at.get(first, ()):
            filled[index] = filler.divider()
        for index in page.others:
            filled[index] = filler.html(matches[index])
        return filled

    def cache_keys(self, request):
        """The member's read marker of the thread the page shows, read with the
        page (``services.read_key``)."""
        thread_pk = _thread_shown(request)
        return [services.read_key(request.user.pk, thread_pk)] if thread_pk else []


def _thread_shown(request):
    """The thread a member's thread page shows, else None."""
    match = getattr(request, "resolver_match", None)
    if (
        not request.user.is_authenticated
        or match is None
        or match.view_name != "threads:thread_detail"
    ):
        return None
    return match.kwargs.get("pk")


class _Marked:
    """A page's thread markers as found (kept with them: ``Matches.memo``): where
    each comment's "new" class and divider go, the comments shown (id, author),
    the read marker's thread and whether its title is gated, the other markers."""

    def __init__(self, matches):
        self.read = None
        self.shown = []
        self.new_at, self.divider_at, self.others = {}, {}, []
        for index, match in enumerate(matches):
            kind = match[1]
            if kind == b"new":
                pk = int(match[2])
                self.shown.append((pk, int(match[3])))
                self.new_at.setdefault(pk, []).append(index)
            elif kind == b"divider":
                self.divider_at.setdefault(int(match[2]), []).append(index)
            else:
                self.others.append(index)
                if kind == b"read" and self.read is None:
                    self.read = (int(match[2]), match[3] == b"g")


_LAST_SEEN = "_fansite_last_seen"


def remember_last_seen(request, thread):
    """Keep the member's read marker of ``thread`` (read with it:
    ``rows.thread_for_page``) for this request's markers."""
    setattr(request, _LAST_SEEN, (thread.pk, thread.last_seen_comment_id))


def _known_last_seen(request, thread_pk):
    """``(the member's read marker of the thread, whether the cache holds it)`` when
    the thread page's view read it or the cache held it (read with the page),
    else None."""
    known = getattr(request, _LAST_SEEN, None)
    if known is not None and known[0] == thread_pk:
        return known[1], False
    key = services.read_key(request.user.pk, thread_pk)
    found = pagecache.prefetched(request, [key])
    if found is not None and isinstance(found.get(key), tuple):
        return found[key][0], True
    return None


def _seen(request, thread_pk, newest, gated):
    """``(the member's read marker, whether the cache holds it, whether it moved to
    newest)``, the last None when it is for the caller to move. From the view or
    the cache, else the database: read and moved in one statement
    (``services.see``), or only read when the thread's title is gated for them."""
    known = _known_last_seen(request, thread_pk)
    if known is not None:
        return (*known, None)
    if gated:
        return ThreadRead.objects.last_seen(request.user, thread_pk), False, None
    last_seen, moved = services.see(member=request.user, thread_pk=thread_pk, comment_id=newest)
    return last_seen, False, moved


def _read_state(request, page):
    """The comments new to the member among those the page shows, the first of them,
    and the member's read marker moved to the newest one shown (one write at most);
    the marker as it then stands left for the cache (``markers.writes``)."""
    member = request.user
    if page.read is None:
        return set(), None
    thread_pk, gated = page.read
    shown = page.shown
    if not shown:
        return set(), None
    newest = max(pk for pk, _author in shown)
    last_seen, cached, moved = _seen(request, thread_pk, newest, gated)
    new = []
    if last_seen is not None:
        member_pk = member.pk
        new = [pk for pk, author in shown if pk > last_seen and author != member_pk]
    key = services.read_key(member.pk, thread_pk)
    if not gated and (last_seen is None or newest > last_seen):
        if moved is None:
            moved = services.mark_seen(member=member, thread=thread_pk, comment_id=newest)
        if moved:
            writes(request)[key] = ((newest,), services.READ_SECONDS)
        else:
            # Already further along (another tab, another device): read it again.
            writes(request)[key] = (None, 0)
    elif not cached:
        writes(request)[key] = ((last_seen,), services.READ_SECONDS)
    return set(new), (new[0] if new else None)


class _Filler:
    def __init__(self, member, first, language):
        self.member = member
        self.member_pk = member.pk
        self.first = first
        self.language = language
        self.prefix = get_script_prefix()

    def divider(self):
        return _drawn("divider", 0, self.language, self.prefix)

    def html(self, match):
        """A read, report or own marker's bytes."""
        kind, pk = match[1], int(match[2])
        if kind == b"read":
            if self.first is None:
                return b""
            return _drawn("read", 0, self.language, self.prefix)
        author = int(match[3])
        if kind == b"report":
            if author == self.member_pk:
                return b""
            return _drawn("report", pk, self.language, self.prefix)
        # kind == b"own": Edit for the author of an open thread, else Raise for guards.
        member = self.member
        if author == member.pk and match[4] == b"o" and not member.is_banned:
            return _drawn("edit", pk, self.language, self.prefix)
        if member.acts_as_spoiler_guard:
            return _drawn("raise", pk, self.language, self.prefix)
        return b""


@functools.lru_cache(maxsize=4096)
def _drawn(kind, pk, language, prefix):
    """One of the member's links on thread ``pk`` (or the page's "first new" link
    and divider), drawn once per language and script prefix: the markup is the
    same for every member it is shown to. ``language`` is the active one."""
    if kind == "divider":
        html = format_html(
            '<p class="comment-new-divider" id="new-comments"><span>{}</span></p>',
            gettext("New since your last visit"),
        )
    elif kind == "read":
        html = format_html(
            '<a class="thread-tools__jump" href="#new-comments">{}</a>',
            gettext("First new comment"),
        )
    elif kind == "report":
        html = format_html(
            ' · <a class="report-link" href="{}" rel="nofollow">{}</a>',
            reverse_id("moderation:report_create", "thread", pk=pk),
            gettext("Report thread"),
        )
    elif kind == "edit":
        html = format_html(
            ' · <a href="{}" rel="nofollow">{}</a>',
            reverse_id("threads:thread_edit", pk=pk),
            gettext("Edit thread"),
        )
    else:  # raise
        html = format_html(
            ' · <a href="{}" rel="nofollow">{}</a>',
            reverse_id("moderation:guard_raise", "thread", pk=pk),
            gettext("Raise spoiler episode"),
        )
    return html.encode()
