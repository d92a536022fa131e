"""Writing comments: posting, replying, editing and removing, and starting a
thread with its opening post.

Every write goes through these functions (views, admin actions and management
commands alike), so the posting rules and the denormalised counters cannot be
bypassed. Counters are updated with F() so concurrent posts never lose counts.

Who may post at all (bans, new members' links) is the member's standing:
``fansite.users.standing``. Here: not into a hidden or locked thread, and
nobody posts the same text twice within ``settings.DUPLICATE_POST_WINDOW``.
Rate limits, which need the request (the client address), are checked by the
views: see ``fansite.web.ratelimits``.

A post's spoiler level is decided here, through
``fansite.spoilers.levels.resolve_spoiler_level``: never below its page's level, nor
below the level of any comment it quotes (``quote_floor``).
"""

import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Max, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from fansite.spoilers.levels import resolve_spoiler_level
from fansite.threads.models import Board, Thread
from fansite.threads.services import ensure_can_start_thread, open_thread
from fansite.users.standing import PostingRefused, ensure_allowed_content, ensure_can_post
from fansite.web import pagecache
from fansite.web.markdown import render_markdown, spoiler_reference_sources
from fansite.web.ratelimits import wait_text

from .models import Comment, CommentRevision, body_fingerprint, permalink_pk, render_body

# Sent inside the posting transaction with ``comment`` (a new thread's opening post
# too) for apps above this one that react to new posts: notifications enqueue
# their fan-out on commit. Posts made here, not comments saved elsewhere (demo data).
comment_posted = Signal()


def ensure_can_comment(user, target):
    """Raise PostingRefused unless ``user`` may write on ``target`` (an article, a
    thread, or the comment being edited): their standing, and a thread that
    still takes comments."""
    ensure_can_post(user)
    thread = getattr(target, "thread", None) if isinstance(target, Comment) else target
    if getattr(thread, "is_hidden", False):
        raise PostingRefused(_("This thread has been hidden by moderators: it takes no comments."))
    if getattr(thread, "is_locked", False):
        raise PostingRefused(_("This thread is locked: it takes no new comments."))


# --- Quotes --------------------------------------------------------------------

# A comment's permalink, as the Quote action writes it in a quote's heading.
_PERMALINK_PATH_RE = re.compile(r"/comments/(\d+)/")
# The same as a Markdown link, for the new-member link rule (see _without_permalinks).
_PERMALINK_LINK_RE = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(\s*/comments/\d+/\s*\)")


class _QuotedSources(HTMLParser):
    """Collects the comments that links inside block quotes point at."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.pks = set()

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self.depth += 1
        elif tag == "a" and self.depth:
            pk = permalink_pk(dict(attrs).get("href") or "")
            if pk is not None:
                self.pks.add(pk)

    def handle_endtag(self, tag):
        if tag == "blockquote" and self.depth:
            self.depth -= 1


@functools.lru_cache(maxsize=64)
def quoted_comment_pks(body):
    """The comments ``body`` quotes: those whose permalink a link inside a block quote
    points at (the Quote action's heading links its source). A link outside a quote
    only points at a comment, and a hand-typed ``>`` block names no source.

    Remembered for the last few texts (it depends on nothing else): posting asks for
    the form's help text and again for the level, and rendering is the costly part."""
    if not _PERMALINK_PATH_RE.search(body):
        return frozenset()
    # The rendered HTML, so that what counts as "inside a quote" is exactly what
    # readers see quoted (a spoiler line ends a quote, code is not a link...).
    parser = _QuotedSources()
    parser.feed(render_markdown(body))
    parser.close()
    return frozenset(parser.pks)


def quote_floor(body):
    """The highest spoiler level among the comments ``body`` quotes, wherever they
    were posted, or None: a quote spoils what its source spoils. A reference to a
    quoted spoiler (``⟦spoiler 2 of comment 34⟧``) names its source too, wherever it
    stands, so no text can carry a quoted spoiler below its source's level. One
    query, and none for a body that quotes nothing."""
    pks = quoted_comment_pks(body) | spoiler_reference_sources(body)
    if not pks:
        return None
    return Comment.objects.filter(pk__in=pks).aggregate(level=Max("spoils_episode"))["level"]


def _without_permalinks(body):
    """``body`` with links to comments' permalinks reduced to their text: a quote's
    heading links its source, and a link to another comment here is not the kind of
    link new members must wait to post."""
    return _PERMALINK_LINK_RE.sub(r"\1", body)


def _ensure_allowed_content(author, body):
    ensure_allowed_content(author, _without_permalinks(body))


# --- Duplicates -----------------------------------------------------------------


def ensure_not_duplicate(author, body):
    """Refuse a post whose text the author already posted, anywhere, within
    ``settings.DUPLICATE_POST_WINDOW`` (a double click, or the same message sprayed
    across threads). Texts that differ only in whitespace count as the same; posts
    the author removed do not count. One indexed lookup, however much they post."""
    window = settings.DUPLICATE_POST_WINDOW
    if not window:
        return
    now = timezone.now()
    created_at = (
        Comment.objects.filter(
            author=author,
            body_fingerprint=body_fingerprint(body),
            created_at__gt=now - window,
            is_removed=False,
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if created_at is not None:
        raise PostingRefused(
            _(
                "You already posted exactly this text %(ago)s ago. To post it again, "
                "change it or wait %(wait)s."
            )
            % {
                "ago": wait_text((now - created_at).total_seconds()),
                "wait": wait_text((created_at + window - now).total_seconds()),
            }
        )


def _target_fields(target):
    return {"thread": target} if isinstance(target, Thread) else {"article": target}


def _record_activity(comment, *, is_reply):
    """Bump the counters and activity times that lists show."""
    if comment.thread_id is None:
        return
    # Only ever forward: on PostgreSQL two comments posted at once can reach the
    # thread row in the other order, and the earlier time must not win.
    posted_at = Value(comment.created_at, output_field=DateTimeField())
    thread_updates = {
        "last_activity_at": Greatest(Coalesce("last_activity_at", posted_at), posted_at)
    }
    if is_reply:
        thread_updates["reply_count"] = F("reply_count") + 1
    Thread.objects.filter(pk=comment.thread_id).update(**thread_updates)
    Board.objects.filter(threads=comment.thread_id).update(
        post_count=F("post_count") + 1,
        last_activity_at=Greatest(Coalesce("last_activity_at", posted_at), posted_at),
    )


def create_comment(*, target, author, body, spoils_episode=None, parent=None, is_reply=True):
    """Store a comment without the posting checks (callers have made them)."""
    reply_to = None
    if parent is not None:
        if parent.target != target:
            raise PostingRefused(_("You can only reply to a comment on the same page."))
        if parent.parent_id is not None:
            # One level of nesting: a reply to a reply joins the top comment's
            # replies and remembers whom it answers.
            reply_to, parent = parent, parent.parent
    if isinstance(target, Thread) and target.pk:
        # The thread's level as it is now, not as the page that posted saw it, and
        # locked until the comment is in: a re-tag raising the thread either
        # finishes first (its level counts here) or waits and then raises this
        # comment with the others (moderation.services.respoil_item).
        target.spoils_episode_id = (
            Thread.objects.select_for_update()
            .values_list("spoils_episode_id", flat=True)
            .get(pk=target.pk)
        )
    comment = Comment(
        author=author,
        body=body,
        parent=parent,
        reply_to=reply_to,
        spoils_episode_id=resolve_spoiler_level(target, spoils_episode, floor=quote_floor(body)),
        **_target_fields(target),
    )
    comment.save()
    _record_activity(comment, is_reply=is_reply)
    return comment


@transaction.atomic
def post_comment(*, target, author, body, spoils_episode=None, parent=None):
    """Post a comment on an article or a thread, optionally replying to another."""
    ensure_can_comment(author, target)
    _ensure_allowed_content(author, body)
    ensure_not_duplicate(author, body)
    comment = create_comment(
        target=target, author=author, body=body, spoils_episode=spoils_episode, parent=parent
    )
    comment_posted.send(sender=Comment, comment=comment)
    return comment


@transaction.atomic
def start_thread(*, board, author, title, body, spoils_episode=None):
    """Open a thread on a board with its first post.

    A thread is its title and its opening post, which is a comment: so starting
    one is a comments write. The posting rules of comments apply to the opening
    post (bans, links from new members, duplicates), and new members may only
    start a few threads a day.

    ``spoils_episode`` is an episode, ``NO_SPOILERS``, or None when the author did
    not say: then the board's episode or, on a board without one, how far the author
    has watched. A thread spoils at least what its opening post quotes.
    """
    ensure_can_post(author)
    ensure_can_start_thread(author)
    _ensure_allowed_content(author, body)
    ensure_not_duplicate(author, body)
    level = resolve_spoiler_level(
        board,
        spoils_episode,
        fallback=getattr(author, "watched_up_to", None),
        floor=quote_floor(body),
    )
    thread = open_thread(board=board, author=author, title=title, spoils_episode=level)
    opening = create_comment(target=thread, author=author, body=body, is_reply=False)
    comment_posted.send(sender=Comment, comment=opening)
    thread.refresh_from_db()
    return thread


def ensure_can_edit(user, comment):
    if user is None or not user.is_authenticated or comment.author_id != user.pk:
        raise PostingRefused(_("Only the author can change this comment."))
    if comment.is_removed:
        raise PostingRefused(_("This comment has been removed."))
    if comment.is_hidden:
        raise PostingRefused(_("Moderators have hidden this comment; it cannot be changed."))
    ensure_can_comment(user, comment.thread if comment.thread_id else None)


@transaction.atomic
def edit_comment(*, comment, editor, body, spoils_episode=None):
    """Change a comment's text, keeping the earlier version for moderators."""
    ensure_can_edit(editor, comment)
    # Not choosing keeps the level; whatever is chosen, never below what the text
    # now quotes, nor below the comment's own level: readers may already have been
    # kept from it as a spoiler, and an edit must not hand it to them.
    floor = max(
        (level for level in (quote_floor(body), comment.spoils_episode_id) if level),
        default=None,
    )
    level = resolve_spoiler_level(
        comment.target, spoils_episode or comment.spoils_episode_id, floor=floor
    )
    if body == comment.body and level == comment.spoils_episode_id:
        return comment
    if body != comment.body:
        _ensure_allowed_content(editor, body)
    CommentRevision.objects.create(
        comment=comment,
        body=comment.body,
        spoils_episode_id=comment.spoils_episode_id,
        created_at=comment.edited_at or comment.created_at,
    )
    comment.body = body
    comment.spoils_episode_id = level
    comment.edited_at = timezone.now()
    comment.save()
    return comment


@transaction.atomic
def remove_comment(*, comment, user):
    """The author withdraws a comment. Its place stays as “comment removed”, so
    replies keep their context; moderators can still read the text."""
    ensure_can_edit(user, comment)
    comment.is_removed = True
    comment.save(update_fields=["is_removed"])
    return comment


# --- Rendering again ----------------------------------------------------------------


def rerender_comments(*, batch_size=500):
    """Render every comment's Markdown again, after a change to the renderer (pasted
    addresses becoming links, for instance). Returns ``(changed, skipped)``.

    Comments that quote spoilers by reference are skipped: rendering them again would
    take their quoted spoilers from the sources as they are now, and a source edited
    since may spoil a later episode than the quote's level. Their next edit renders
    them, with the quote floor checked again."""
    changed = skipped = 0
    batch = []
    comments = Comment.objects.only("pk", "body", "body_html").order_by("pk")
    for comment in comments.iterator(chunk_size=batch_size):
        if spoiler_reference_sources(comment.body):
            skipped += 1
            continue
        html = render_body(comment.body)
        if html != comment.body_html:
            comment.body_html = html
            batch.append(comment)
        if len(batch) >= batch_size:
            changed += _store_rendered(batch)
            batch = []
    changed += _store_rendered(batch)
    if changed:
        # bulk_update sends no signals: drop every cached page (comment cards are keyed
        # by their HTML, so they renew themselves).
        pagecache.bump(pagecache.SITE)
    return changed, skipped


def _store_rendered(comments):
    Comment.objects.bulk_update(comments, ["body_html"])
    return len(comments)


# --- Changing the level of what was posted ----------------------------------------
# The writes behind every later change of a level: a moderator's re-tag, a spoiler
# guard's raise, an author correcting their thread. Who may do what, and the log,
# are the callers' (fansite.moderation.services): these only keep the rules that
# hold whoever changes a level.


@dataclass(frozen=True)
class LevelChange:
    """What setting a thread's or a comment's level changed.

    ``opening``          the thread's opening post, or None (a comment, or a thread
                         without one)
    ``opening_before``   the opening post's level before
    ``carried``          the thread's other comments that rose with it:
                         ``{pk: (author_pk, level before)}``
    """

    item: object
    before: int | None
    after: int | None
    opening: Comment | None = None
    opening_before: int | None = None
    carried: dict = field(default_factory=dict)

    @property
    def carried_by_author(self):
        """``{author_pk: how many of their comments rose}`` (deleted members left out)."""
        counts = {}
        for author_pk, _level in self.carried.values():
            if author_pk is not None:
                counts[author_pk] = counts.get(author_pk, 0) + 1
        return counts


def set_comment_level(*, comment, level):
    """Set a comment's level (its row locked by the caller); None when it already had
    it. Comment cards are keyed by the level (comments/cards.py), so no card outlives it."""
    before = comment.spoils_episode_id
    if before == level:
        return None
    Comment.objects.filter(pk=comment.pk).update(spoils_episode_id=level)
    comment.spoils_episode_id = level
    return LevelChange(item=comment, before=before, after=level)


def set_thread_level(*, thread, level):
    """Set a thread's level (its row locked by the caller) and its opening post's: the
    thread's level covers its title and opening post together. Raising it also raises
    every other comment on it that spoils less, in one UPDATE whatever their number
    (they were written in a thread that now counts as spoiling that far); lowering it
    never lowers them. None when nothing changes.

    Bulk updates send no signals: callers drop cached pages (the moderation log's
    entry does, for every caller)."""
    opening = (
        Comment.objects.filter(thread=thread)
        .only("pk", "spoils_episode", "author")
        .order_by("pk")
        .first()
    )
    before = thread.spoils_episode_id
    opening_before = opening.spoils_episode_id if opening is not None else None
    if before == level and (opening is None or opening_before == level):
        return None
    carried = {}
    if level is not None and (before is None or level > before):
        below = Comment.objects.filter(thread=thread).filter(
            Q(spoils_episode__isnull=True) | Q(spoils_episode__lt=level)
        )
        if opening is not None:
            below = below.exclude(pk=opening.pk)
        # Who wrote them and their levels before, so their authors can be told and a
        # moderator can undo the change: one query, then one UPDATE.
        carried = {
            pk: (author_pk, was)
            for pk, author_pk, was in below.order_by().values_list("pk", "author", "spoils_episode")
        }
        if carried:
            Comment.objects.filter(pk__in=list(carried)).update(spoils_episode_id=level)
    Thread.objects.filter(pk=thread.pk).update(spoils_episode_id=level)
    if opening is not None and opening_before != level:
        Comment.objects.filter(pk=opening.pk).update(spoils_episode_id=level)
        opening.spoils_episode_id = level
    thread.spoils_episode_id = level
    return LevelChange(
        item=thread,
        before=before,
        after=level,
        opening=opening,
        opening_before=opening_before,
        carried=carried,
    )


def ensure_can_edit_thread(user, thread):
    """Raise PostingRefused unless ``user`` may correct ``thread``'s title and level:
    its author, in good standing to post, on a thread that still takes comments.
    Moderators change other members' threads in the admin."""
    if user is None or not user.is_authenticated or thread.author_id != user.pk:
        raise PostingRefused(_("Only the thread's author can change its title or spoiler episode."))
    ensure_can_comment(user, thread)


def edit_thread(*, thread, editor, title, spoils_episode=None):
    """The author corrects their thread's title and may raise its level (never lower
    it: readers below it were kept from the title). ``thread`` must be locked by the
    caller. Returns ``(title before, LevelChange or None)``; the title before is None
    when it did not change."""
    ensure_can_edit_thread(editor, thread)
    title_before = None
    if title != thread.title:
        title_before = thread.title
        Thread.objects.filter(pk=thread.pk).update(title=title)
        thread.title = title
    level = resolve_spoiler_level(thread, spoils_episode)
    change = set_thread_level(thread=thread, level=level) if level != thread.spoiler_level else None
    return title_before, change
