"""What a thread's cached pages depend on, so that a write drops only what it changed.

A thread's pages are cached whole (fansite.web.pagecache) under these scopes:

- ``thread:<pk>``: every page of the thread; replaced when the thread itself
  changes (title, lock, pin, board, spoiler episode), when its opening post
  changes (the pages' description comes from it) and when a comment is deleted
  outright (later comments move to earlier pages);
- ``thread:<pk>:page:<n>``: page *n* in the default order (oldest first);
  replaced when a comment on it is posted, edited, removed or hidden. A new
  top-level comment lands on the last page and a reply on its comment's page,
  so page 1 of a 40-page thread stays cached while page 40 fills;
- ``thread:<pk>:newest``: every page in the newest-first order, where each new
  comment moves all the others along; ``top:<pk>`` for the Top order
  (fansite.comments.top).

What every page shows of the whole thread (how many posts and replies, how many
pages) changes with each new comment, so the pages do not hold it: they carry
markers (``<!--comments:posts:<pk>-->``, ``…:replies:…``, ``…:pages:<pk>:<n>``)
that fansite.comments.markers fills in from the thread's counts, a ``Kept``
value under ``thread:<pk>:counts`` read in the same cache round trip as the page.
"""

from __future__ import annotations

from django.conf import settings

from fansite.threads import scopes as board_scopes
from fansite.web import pagecache

from . import rows
from .models import Comment
from .selectors import page_for_comment
from .top import top_scope


def per_page() -> int:
    return settings.COMMENTS_PER_PAGE


def page_scope(thread_pk, number) -> str:
    return f"thread:{thread_pk}:page:{number}"


def newest_scope(thread_pk) -> str:
    return f"thread:{thread_pk}:newest"


def counts_scope(thread_pk) -> str:
    return f"thread:{thread_pk}:counts"


def counts(thread_pk) -> pagecache.Kept:
    """The thread's (comments, top-level comments, replies) as pages show them."""
    return pagecache.Kept(f"threadcounts:{thread_pk}", counts_scope(thread_pk))


_COUNTED = "_fansite_thread_counts"


def counted(request, thread_pk, values):
    """The counts a thread page's view worked out, for the markers of this response
    and, cached, of the next ones."""
    setattr(request, _COUNTED, (thread_pk, values))
    counts(thread_pk).store(request, values)


def counts_for(request, thread_pk) -> tuple[int, int, int]:
    """(comments, top-level comments, replies) of the thread, for the page's markers:
    from this response's view, else the cache, else the database (one statement)."""
    known = getattr(request, _COUNTED, None)
    if known is not None and known[0] == thread_pk:
        return known[1]
    return counts(thread_pk).get(request, lambda: rows.thread_counts(thread_pk))


def cached_counts(request, thread_pk):
    """The thread's counts when the cache holds them current (read with the page:
    ``cached_page(extras=…)``), else None."""
    return counts(thread_pk).current(request)


def requested_page(request) -> str:
    """The page number a request names, as a scope's part: "1" when it names none."""
    value = request.GET.get(pagecache.PAGE_PARAM) or "1"
    return value if value.isdigit() and len(value) <= 9 else "other"


def is_canonical_page(request, number) -> bool:
    """Whether the request named page ``number`` the way the site's links do (none
    for page 1). A page number beyond the last or not a number shows another page
    (the nearest): such an answer is not stored, since the page it shows is not
    the one its scope names."""
    value = request.GET.get(pagecache.PAGE_PARAM)
    return value == str(number) or (value is None and number == 1)


def page_of(comment) -> int:
    """The page, oldest first, of ``comment``'s top-level comment (itself, or the
    comment it replies to): one count."""
    return page_for_comment(comment)


def scopes_changed(comment, *, created: bool, deleted: bool = False) -> tuple[str, ...]:
    """The scopes a write of ``comment`` (a comment on a thread) replaces."""
    pk = comment.thread_id
    thread = comment.thread if Comment.thread.is_cached(comment) else pk
    common = (newest_scope(pk), top_scope(pk), pagecache.LISTINGS, *board_scopes.of_thread(thread))
    if deleted:
        return (pagecache.thread_scope(pk), counts_scope(pk), *common)
    page = page_of(comment)
    if page == 1 and comment.parent_id is None and _is_first(comment):
        # The opening post: every page's description is taken from it.
        return (pagecache.thread_scope(pk), counts_scope(pk), *common)
    scopes = [page_scope(pk, page), *common]
    if created:
        scopes.append(counts_scope(pk))
        if page == 2:
            # Page 1 shows "Best comments" once the thread is longer than a page.
            scopes.append(page_scope(pk, 1))
    else:
        # An edited, removed or hidden comment may be in page 1's "Best comments".
        scopes.append(page_scope(pk, 1))
    return tuple(scopes)


def _is_first(comment) -> bool:
    return not Comment.objects.filter(thread_id=comment.thread_id, pk__lt=comment.pk).exists()
