"""Search results as a page shows them, each passed through the spoiler gate
(fansite.spoilers.readers.Reader): a gated result, shown only when the reader asked
to include spoilers, is its gate's label and where it is, without a title, a
snippet or a highlighted word.

A result is built from the values the search read (fansite.search.selectors:
``PAGE_VALUES``); its link and its levels still come from the models' own
``get_absolute_url`` and ``spoiler_level``, on instances holding just those."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.episodes.models import Episode
from fansite.spoilers.levels import gate_label
from fansite.threads.models import Board, Thread
from fansite.web.templatetags.times import machine_time, shown_date

from .models import Document
from .terms import snippet

Kind = Document.Kind


@dataclass
class Result:
    kind: str
    title: str
    url: str
    snippet: str = ""
    where: str = ""
    author: str = ""  # the author's public name
    created_at: object = None
    gate: str = ""  # "Spoiler for episode 9" when gated for the reader

    # The page's dates, written here: the template's date filter cost as much as
    # the rest of a result (docs/search.md, "Performance").
    @property
    def created_utc(self):
        """For ``<time datetime>``, in UTC like every page's (base.html)."""
        return machine_time(self.created_at)

    @property
    def created_text(self):
        """ "4 Dec 2026" in the reader's time zone: ``|date:"j M Y"``."""
        return shown_date(self.created_at)


def _article(slug, episode_pk, position):
    episode = Episode(pk=episode_pk, position=position) if episode_pk is not None else None
    return Article(slug=slug, spoils_episode=episode)


def _gated(reader, *items):
    """The first of ``items`` the reader may not see, or None."""
    return next((item for item in items if item is not None and reader.spoils(item)), None)


def result(hit, reader, marks) -> Result:
    """``hit``: a page's document as ``selectors.search`` read it."""
    kind = hit.kind
    author = getattr(hit, "author__display_name", None) or getattr(hit, "author__username", "")
    row = Result(
        kind=str(Document.Kind(kind).label),
        title=hit.title,
        url="",
        author=author or "",
        created_at=hit.created_at,
    )
    if kind == Kind.COMMENT:
        comment = Comment(pk=hit.comment_id, spoils_episode_id=hit.comment__spoils_episode_id)
        if hit.comment__thread_id:
            target = Thread(
                pk=hit.comment__thread_id,
                title=hit.comment__thread__title,
                spoils_episode_id=hit.comment__thread__spoils_episode_id,
            )
            row.where = hit.comment__thread__board__title
        else:
            target = _article(
                hit.comment__article__slug,
                hit.comment__article__spoils_episode_id,
                hit.comment__article__spoils_episode__position,
            )
            target.title = hit.comment__article__title
            row.where = _("Articles")
        row.url = comment.get_absolute_url()
        row.title = _("Comment in “%(title)s”") % {"title": target.title}
        gated = _gated(reader, target, comment)
    elif kind == Kind.THREAD:
        thread = Thread(pk=hit.thread_id, spoils_episode_id=hit.thread__spoils_episode_id)
        row.url = thread.get_absolute_url()
        row.where = hit.thread__board__title
        gated = _gated(reader, thread)
    elif kind == Kind.ARTICLE:
        article = _article(
            hit.article__slug, hit.article__spoils_episode_id, hit.article__spoils_episode__position
        )
        row.url = article.get_absolute_url()
        row.where = _("Articles")
        gated = _gated(reader, article)
    else:
        if kind == Kind.BOARD:
            thing = Board(slug=hit.board__slug)
        elif kind == Kind.EPISODE:
            thing = Episode(position=hit.episode__position)
        else:
            thing = get_user_model()(username=hit.member__username)
        row.url = thing.get_absolute_url()
        gated = None
    if gated is not None:
        row.gate = gate_label(gated)
        row.title = row.gate
        return row
    row.snippet = snippet(hit.text, marks) if hit.text else ""
    return row
