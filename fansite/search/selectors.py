"""Searching: the documents a query finds that this reader may see (docs/search.md).

Everything a reader may not see is left out in SQL, so pages and counts hold only
what they may see: hidden and removed comments, hidden threads, unpublished
articles and inactive members never; anything that spoils an episode beyond the
reader's progress unless they asked to include spoilers (then it comes back as a
gate, without its text: fansite.search.results). Both are read live from the
things themselves, not from the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, F, FloatField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from fansite.articles.models import Article

from . import glossary
from .models import Document
from .terms import Query, parse, to_fts5, to_tsquery

Kind = Document.Kind
PER_PAGE = 20
RELEVANCE, NEWEST = "relevance", "newest"
WHEN = {"day": 1, "week": 7, "month": 31, "year": 366}


@dataclass
class Filters:
    kinds: tuple[str, ...] = ()
    board: object = None  # a Board: its threads and their comments
    articles_only: bool = False
    author: object = None  # a member
    within_days: int | None = None
    sort: str = RELEVANCE


@dataclass
class Search:
    query: Query
    page_obj: object = None
    notes: list[str] = field(default_factory=list)

    @property
    def problem(self):
        return self.query.problem


def _matches(query: Query):
    if connection.vendor == "postgresql":
        return RawSQL(
            "search_document.vector @@ to_tsquery('simple', %s)",
            [to_tsquery(query)],
            output_field=BooleanField(),
        )
    return RawSQL(
        "search_document.id IN (SELECT rowid FROM search_document_fts "
        "WHERE search_document_fts MATCH %s)",
        [to_fts5(query)],
        output_field=BooleanField(),
    )


def _rank(query: Query):
    """Higher is better."""
    if connection.vendor == "postgresql":
        return RawSQL(
            "ts_rank_cd(search_document.vector, to_tsquery('simple', %s))",
            [to_tsquery(query)],
            output_field=FloatField(),
        )
    return RawSQL(
        "(SELECT -bm25(search_document_fts) FROM search_document_fts "
        "WHERE search_document_fts MATCH %s AND search_document_fts.rowid = search_document.id)",
        [to_fts5(query)],
        output_field=FloatField(),
    )


def _published(prefix):
    return Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
        }
    )


def shown():
    """Documents of things readers see at all."""
    return (
        Q(
            kind=Kind.COMMENT,
            comment__is_removed=False,
            comment__is_hidden=False,
        )
        & (Q(comment__thread__is_hidden=False) | _published("comment__article__"))
        | Q(kind=Kind.THREAD, thread__is_hidden=False)
        | (Q(kind=Kind.ARTICLE) & _published("article__"))
        | Q(kind__in=[Kind.BOARD, Kind.EPISODE])
        | Q(kind=Kind.MEMBER, member__is_active=True)
    )


def _within(path, progress):
    return Q(**{f"{path}__isnull": True}) | Q(**{f"{path}__lte": progress})


def within_progress(progress: int):
    """Documents that spoil nothing beyond ``progress``: the spoiler gate's rule
    (fansite.spoilers.readers.Reader.spoils: a level above the progress is
    gated) for each kind, with a comment's thread or article counted too."""
    return (
        (
            Q(kind=Kind.COMMENT)
            & _within("comment__spoils_episode", progress)
            & _within("comment__thread__spoils_episode", progress)
            & _within("comment__article__spoils_episode__position", progress)
        )
        | (Q(kind=Kind.THREAD) & _within("thread__spoils_episode", progress))
        | (Q(kind=Kind.ARTICLE) & _within("article__spoils_episode__position", progress))
        | Q(kind__in=[Kind.BOARD, Kind.EPISODE, Kind.MEMBER])
    )


def _filtered(documents, filters: Filters):
    if filters.kinds:
        documents = documents.filter(kind__in=filters.kinds)
    if filters.board is not None:
        documents = documents.filter(
            Q(thread__board=filters.board) | Q(comment__thread__board=filters.board)
        )
    if filters.articles_only:
        documents = documents.filter(Q(kind=Kind.ARTICLE) | Q(comment__article__isnull=False))
    if filters.author is not None:
        documents = documents.filter(author=filters.author)
    if filters.within_days:
        since = timezone.now() - timedelta(days=filters.within_days)
        documents = documents.filter(created_at__gte=since)
    return documents


def search(text, *, progress, include_spoilers=False, filters=None, page=1) -> Search:
    """One page of what ``text`` finds for a reader who has watched up to
    ``progress``: two queries (the count and the page), whatever the results."""
    filters = filters or Filters()
    query = parse(text, glossary.current())
    result = Search(query, notes=list(query.notes))
    if query.problem:
        return result
    documents = Document.objects.filter(_matches(query)).filter(shown())
    if not include_spoilers:
        documents = documents.filter(within_progress(progress))
    documents = _filtered(documents, filters).select_related(
        "comment__thread__board",
        "comment__article__spoils_episode",
        "thread__board",
        "article__spoils_episode",
        "board",
        "episode",
        "member",
        "author",
    )
    if filters.sort == NEWEST:
        documents = documents.order_by("-created_at", "-pk")
    else:
        documents = documents.annotate(rank=_rank(query)).order_by(
            F("rank").desc(), "-created_at", "-pk"
        )
    result.page_obj = Paginator(documents, PER_PAGE).get_page(page)
    return result
