"""RSS feeds of a board's new threads and of a thread's new comments.

A feed reader has no progress and cannot press *Show*, and one copy of a feed goes to every
subscriber (and through shared caches). So every feed is written for a reader who has
watched nothing (``FEED_READER``): an item that spoils any episode carries only its label
("Spoiler for episode 9"), the board, the author and a link; the text of other items is
``plain_text``, with inline and block spoilers as "[spoiler]". A gated thread's feed is
titled by its label. Threads and comments hidden by moderators, and removed comments, are
never in a feed; a hidden thread has no feed at all.

Each feed runs a fixed number of queries whatever the number of items: three for a board,
two for a thread, and the syndication framework's ``Site`` record, once per process.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext as _

from fansite.comments.models import Comment
from fansite.spoilers.levels import gate_label
from fansite.spoilers.readers import Reader
from fansite.web.context_processors import site
from fansite.web.markdown import excerpt

from .models import Board, Thread
from .selectors import listed_threads

FEED_LENGTH = 20
EXCERPT_LENGTH = 500
# Feed readers poll; five minutes spares the database their repeats, and is how long
# a post that moderators hide may still be seen in a feed someone fetched before.
FEED_MAX_AGE = 5 * 60
# What a feed reader has watched: nothing.
FEED_READER = Reader()


@dataclass
class FeedSubject:
    """What a feed is about (a board or a thread) and the site's public origin."""

    origin: str
    board: Board
    thread: Thread | None = None

    def url(self, path):
        return self.origin + path


def _author_name(author):
    return author.public_name if author else _("a former member")


def _gated(item, board, what):
    """The whole of a gated item's text: its label, what it is, the board and the author."""
    return escape(
        _("%(label)s. %(what)s by %(author)s on the %(board)s board. Read it on the site.")
        % {
            "label": gate_label(item),
            "what": what,
            "author": _author_name(item.author),
            "board": board.title,
        }
    )


class PublicFeed(Feed):
    """A feed that is the same for everyone, so shared caches may keep it a while."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        return response

    def item_link(self, item):
        return item.feed_link

    def item_title(self, item):
        return item.feed_title

    def item_description(self, item):
        return item.feed_description

    def item_author_name(self, item):
        return _author_name(item.author)

    def item_categories(self, item):
        return [item.feed_board.title]


class BoardFeed(PublicFeed):
    """A board's newest threads: title and the start of the opening post."""

    def get_object(self, request, slug):
        board = get_object_or_404(Board, slug=slug)
        return FeedSubject(origin=site(request)["site_url"], board=board)

    def title(self, subject):
        return _("%(board)s · new threads · %(site_name)s") % {
            "board": subject.board.title,
            "site_name": settings.SITE_NAME,
        }

    def link(self, subject):
        return subject.url(subject.board.get_absolute_url())

    def feed_url(self, subject):
        return subject.url(reverse("threads:board_feed", kwargs={"slug": subject.board.slug}))

    def description(self, subject):
        return subject.board.description or _("New threads on the %(board)s board.") % {
            "board": subject.board.title
        }

    def items(self, subject):
        opening_post = Comment.objects.filter(thread=OuterRef("pk")).order_by("pk").values("pk")
        threads = list(
            listed_threads(None, Thread.objects.filter(board=subject.board))
            .select_related("author")
            .annotate(opening_post_pk=Subquery(opening_post[:1]))
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )
        openers = Comment.objects.only(
            "pk", "body", "spoils_episode", "is_removed", "is_hidden", "thread"
        ).in_bulk([thread.opening_post_pk for thread in threads if thread.opening_post_pk])
        for thread in threads:
            opener = openers.get(thread.opening_post_pk)
            thread.feed_board = subject.board
            thread.feed_link = subject.url(thread.get_absolute_url())
            thread.feed_title = gate_label(thread) if FEED_READER.hides(thread) else thread.title
            thread.feed_description = self._description(subject.board, thread, opener)
        return threads

    def _description(self, board, thread, opener):
        if FEED_READER.hides(thread):
            return _gated(thread, board, _("A thread"))
        if opener is None or not opener.is_visible:
            return escape(_("A thread on the %(board)s board.") % {"board": board.title})
        if FEED_READER.hides(opener):
            # The thread's level covers its opening post, so this only happens when the
            # levels disagree; the post's text stays on the site all the same.
            return _gated(opener, board, _("An opening post"))
        return escape(excerpt(opener.body, EXCERPT_LENGTH))

    def item_pubdate(self, thread):
        return thread.created_at


class ThreadFeed(PublicFeed):
    """A thread's newest comments, its opening post among them."""

    def get_object(self, request, pk):
        thread = get_object_or_404(Thread.objects.select_related("board"), pk=pk)
        if thread.is_hidden:
            # Nothing of a hidden thread leaves the site, not even its feed's title.
            raise Http404
        return FeedSubject(origin=site(request)["site_url"], board=thread.board, thread=thread)

    def _name(self, thread):
        """The thread as its feed names it: its label when it spoils an episode."""
        return gate_label(thread) if FEED_READER.hides(thread) else thread.title

    def title(self, subject):
        return _("%(thread)s · %(board)s · %(site_name)s") % {
            "thread": self._name(subject.thread),
            "board": subject.board.title,
            "site_name": settings.SITE_NAME,
        }

    def link(self, subject):
        return subject.url(subject.thread.get_absolute_url())

    def feed_url(self, subject):
        return subject.url(reverse("threads:thread_feed", kwargs={"pk": subject.thread.pk}))

    def description(self, subject):
        return _("New comments in a thread on the %(board)s board.") % {
            "board": subject.board.title
        }

    def items(self, subject):
        thread = subject.thread
        comments = list(
            Comment.objects.for_target(thread)
            .visible()
            .select_related("author")
            .order_by("-pk")[:FEED_LENGTH]
        )
        for comment in comments:
            comment.feed_board = subject.board
            comment.feed_link = subject.url(comment.get_absolute_url())
            if FEED_READER.hides(comment):
                comment.feed_title = gate_label(comment)
                comment.feed_description = _gated(comment, subject.board, _("A comment"))
            else:
                comment.feed_title = self._comment_title(thread, comment)
                comment.feed_description = escape(excerpt(comment.body, EXCERPT_LENGTH))
        return comments

    def _comment_title(self, thread, comment):
        if FEED_READER.hides(thread):
            # A comment below its thread's level: the thread's title still spoils.
            return _("Comment by %(author)s") % {"author": _author_name(comment.author)}
        return _("%(author)s on “%(thread)s”") % {
            "author": _author_name(comment.author),
            "thread": thread.title,
        }

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at
