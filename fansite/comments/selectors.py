"""Reading comments for pages: one page of a conversation, permalinks, a member's latest.

Every function here runs a fixed number of SQL queries whatever the number of
comments, and returns objects whose related rows the templates need (authors,
the comment a reply answers, the thread or article) already loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Q,
    Sum,
)
from django.db.models.functions import Coalesce

from fansite.articles.models import Article
from fansite.threads.models import Thread

from . import rows, top
from .forms import comment_form_for
from .models import Comment
from .top import TOP

# comment_form_for lives in forms.py; it is re-exported because page views that
# fetch the comments here also build the form.
__all__ = [
    "CommentPage",
    "best_comments",
    "comment_form_for",
    "comment_page",
    "comments_by",
    "first_unread",
    "newest_comment",
    "page_for_comment",
    "reactions_received",
    "reply_page",
    "reply_position",
]

# The orders a conversation can be read in (``?sort=``); the first is the default.
# TOP (by reactions, fansite.comments.top) is for threads.
OLDEST, NEWEST = "oldest", "newest"
SORTS = (OLDEST, NEWEST, TOP)


def sort_from(value) -> str:
    """The order a ``?sort=`` value asks for; anything unknown is the default."""
    return value if value in SORTS else OLDEST


def _top_order(sort):
    return "-pk" if sort == NEWEST else "pk"


def target_kind(target) -> str:
    """ "thread" or "article": the ``kind`` part of the posting URL."""
    return "thread" if isinstance(target, Thread) else "article"


@dataclass(frozen=True)
class CommentPage:
    """One page of the conversation on a thread or an article.

    ``page_obj``   Page of top-level comments, oldest first; each has ``reply_list``
                   (its replies, oldest first) and ``is_opening_post``.
    ``paginator``  the Paginator behind it.
    ``total``      every comment on the target, replies included.
    ``kind``       "thread" or "article".
    ``snapshot``   in the Top order, the snapshot the pages slice (fansite.comments.top).
    """

    page_obj: Page
    paginator: Paginator
    total: int
    kind: str
    snapshot: top.Snapshot | None = None

    @property
    def page_range(self):
        return self.paginator.get_elided_page_range(self.page_obj.number, on_each_side=2)


def _per_page(per_page):
    return per_page or settings.COMMENTS_PER_PAGE


class _TopLevel:
    """A target's top-level comments as the Paginator slices them: each slice is one
    statement (fansite.comments.rows)."""

    def __init__(self, target, count, newest_first):
        self.target = target
        self.count = count
        self.newest_first = newest_first

    def __len__(self):
        return self.count

    def __getitem__(self, bounds):
        start, stop = bounds.start, min(bounds.stop, self.count)
        from_end = self.count - stop
        if from_end >= start:
            return rows.top_level(
                self.target, newest_first=self.newest_first, offset=start, limit=stop - start
            )
        # Nearer the end: read from there, in the other order, so the last pages of
        # a long thread (where a busy thread's readers are) skip a few rows, not
        # thousands (OFFSET walks every row it skips).
        found = rows.top_level(
            self.target,
            newest_first=not self.newest_first,
            offset=from_end,
            limit=stop - start,
        )
        found.reverse()
        return found


def comment_page(
    *, target, page=None, per_page=None, sort=OLDEST, at=None, counts=None
) -> CommentPage:
    """The given page (a number or the raw ``?page=`` value; invalid values give the
    nearest valid page) of ``target``'s comments, in three queries: the counts, the
    page's top-level comments, and all their replies (fansite.comments.rows).

    ``sort``: top-level comments oldest first (the default), newest first, or, on a
    thread, Top (the snapshot named ``at``, or the current one: one more query
    when it has to be taken); replies stay oldest first under their comment."""
    # ``counts``: (every comment, top-level ones), when the caller knows them.
    total, top_level = counts or rows.counts(target)
    kind = target_kind(target)
    if sort == TOP and kind == "thread":
        return _top_page(target, page, per_page, total=total, at=at)
    paginator = Paginator(_TopLevel(target, top_level, sort == NEWEST), _per_page(per_page))
    page_obj = paginator.get_page(page)

    parents = list(page_obj.object_list)
    _attach_first_replies(parents)
    if kind == "thread" and parents:
        # A thread's first comment is its opening post: first on the first page, or
        # last on the last page when the newest come first.
        if sort == NEWEST and not page_obj.has_next():
            parents[-1].is_opening_post = True
        elif sort != NEWEST and page_obj.number == 1:
            parents[0].is_opening_post = True
    page_obj.object_list = parents
    return CommentPage(page_obj=page_obj, paginator=paginator, total=total, kind=kind)


def _top_page(thread, page, per_page, *, total, at):
    """A page of the thread's Top order: a slice of the snapshot's ids, fetched
    with their authors in one query (comments deleted since are left out)."""
    snap = top.snapshot(thread, at)
    paginator = Paginator(snap.pks, _per_page(per_page))
    page_obj = paginator.get_page(page)
    pks = list(page_obj.object_list)
    found = rows.by_ids(pks)
    parents = [found[pk] for pk in pks if pk in found]
    _attach_first_replies(parents)
    if page_obj.number == 1 and parents and parents[0].pk == snap.pks[0]:
        parents[0].is_opening_post = True  # the snapshot puts it first
    page_obj.object_list = parents
    return CommentPage(
        page_obj=page_obj, paginator=paginator, total=total, kind="thread", snapshot=snap
    )


def _attach_first_replies(parents):
    """Give each top-level comment ``reply_list`` (its first REPLIES_SHOWN replies),
    ``reply_total`` and ``more_replies``, in one query whatever the number of
    replies: a busy conversation never makes a page grow without bound."""
    replies_by_parent = {parent.pk: [] for parent in parents}
    totals = dict.fromkeys(replies_by_parent, 0)
    for reply, siblings in rows.first_replies(list(replies_by_parent), settings.REPLIES_SHOWN):
        reply.is_opening_post = False
        replies_by_parent[reply.parent_id].append(reply)
        totals[reply.parent_id] = siblings
    for parent in parents:
        parent.is_opening_post = False
        parent.reply_list = replies_by_parent[parent.pk]
        parent.reply_total = totals[parent.pk]
        parent.more_replies = parent.reply_total - len(parent.reply_list)


def reply_page(*, parent, page=None, per_page=None) -> CommentPage:
    """One page of all the replies to a top-level comment (the page behind "show
    all replies"), oldest first, in two queries."""
    replies = Comment.objects.filter(parent=parent).with_authors().order_by("pk")
    paginator = Paginator(replies, _per_page(per_page))
    page_obj = paginator.get_page(page)
    page_obj.object_list = list(page_obj.object_list)
    for reply in page_obj.object_list:
        reply.is_opening_post = False
    return CommentPage(
        page_obj=page_obj,
        paginator=paginator,
        total=paginator.count,
        kind=target_kind(parent.target),
    )


def reply_position(reply) -> int:
    """1 for a comment's first reply, 2 for the second…"""
    return Comment.objects.filter(parent_id=reply.parent_id, pk__lte=reply.pk).count()


def page_for_comment(comment, per_page=None, sort=OLDEST) -> int:
    """The page number (1-based) that shows ``comment`` in the order ``sort``: the
    page of its top-level comment, since replies are listed under their parent."""
    top_pk = comment.parent_id or comment.pk
    # Only the column the comment is on: a comment is on a thread or an article,
    # never both (a constraint), and asking for the other to be empty too would
    # read every counted row rather than the index alone.
    if comment.thread_id is not None:
        siblings = Comment.objects.top_level().filter(thread_id=comment.thread_id)
    else:
        siblings = Comment.objects.top_level().filter(article_id=comment.article_id)
    before = {"pk__gt": top_pk} if sort == NEWEST else {"pk__lt": top_pk}
    earlier = siblings.filter(**before).count()
    return earlier // _per_page(per_page) + 1


def comments_by(user, limit=10):
    """A member's latest visible comments, newest first, with the thread (and its
    board) or article loaded. Comments on unpublished articles are left out."""
    return list(
        Comment.objects.visible()
        .filter(author=user)
        .filter(Q(article__isnull=True) | Q(article__in=Article.objects.published()))
        .select_related("author", "thread__board", "article__spoils_episode")
        .order_by("-created_at", "-pk")[:limit]
    )


def best_comments(thread, limit=3):
    """The thread's ``limit`` visible comments with the highest Top score (at least
    one reaction), authors loaded: one query, on the ``comment_thread_top`` index
    (fansite.comments.rows), none when nobody ever reacted in the thread (its
    ``reaction_total`` moves with each comment's, in the same statements, so a
    thread at 0 has no comment scored above 0). The caller gates each as it gates
    cards."""
    if not thread.reaction_total:
        return []
    return rows.best(thread, limit)


def reactions_received(member) -> int:
    """Every reaction to ``member``'s shown comments (visible, on a thread that is not
    hidden or an article that is published): a total, in one query."""
    shown = (
        Comment.objects.visible()
        .filter(author=member)
        .filter(Q(thread__is_hidden=False) | Q(article__in=Article.objects.published()))
    )
    return shown.aggregate(total=Coalesce(Sum("reaction_total"), 0))["total"]


def first_unread(thread, member, last_seen):
    """The first visible comment by someone else on ``thread`` after comment
    ``last_seen``, or None."""
    return (
        Comment.objects.visible()
        .filter(thread=thread, pk__gt=last_seen)
        .exclude(author=member)
        .order_by("pk")
        .only("pk", "parent_id", "thread_id", "article_id")
        .first()
    )


def newest_comment(thread):
    """The newest visible comment on ``thread``, or None."""
    return (
        Comment.objects.visible()
        .filter(thread=thread)
        .order_by("-pk")
        .only("pk", "parent_id", "thread_id", "article_id")
        .first()
    )
