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
# The most matches a search orders and counts (see ``search``).
MOST = 100
# Matches read from the index at a time, how many of those the live rules look
# at, and the most times (``_newest_shown``).
READ = 600
CANDIDATES = 150
MAX_BATCHES = 10
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
    # More than MOST matches: the count reads "100+".
    more: bool = False
    # MAX_BATCHES were read without finding MOST the reader may see.
    cut_short: bool = False

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


def _own_columns(documents, filters: Filters):
    """The filters the documents' own columns answer (no join)."""
    if filters.kinds:
        documents = documents.filter(kind__in=filters.kinds)
    if filters.author is not None:
        documents = documents.filter(author=filters.author)
    if filters.within_days:
        since = timezone.now() - timedelta(days=filters.within_days)
        documents = documents.filter(created_at__gte=since)
    return documents


def _joined(documents, filters: Filters):
    """The filters read from the things themselves."""
    if filters.board is not None:
        documents = documents.filter(
            Q(thread__board=filters.board) | Q(comment__thread__board=filters.board)
        )
    if filters.articles_only:
        documents = documents.filter(Q(kind=Kind.ARTICLE) | Q(comment__article__isnull=False))
    return documents


def _newest_shown(query, visible, filters, wanted, progress=None):
    """Up to ``wanted`` ids of the newest matches in ``visible`` (the live rules),
    and whether the look ended early. Matches are read newest first from the
    full-text index alone, ``READ`` at a time with their level hints (PostgreSQL
    walks the documents newest first for a common word and stops, or reads a rare
    word's few matches from the index). The hint (Document.level) drops what was
    gated when indexed, in Python, so as not to change that plan; of the rest, up
    to ``CANDIDATES`` go to the live rules, which decide, joined to these rows only."""
    matches = _own_columns(Document.objects.filter(_matches(query)), filters)
    found, after = [], None
    for _batch in range(MAX_BATCHES):
        batch = matches
        if after is not None:
            batch = batch.filter(
                Q(created_at__lt=after[0]) | Q(created_at=after[0], pk__lt=after[1])
            )
        rows = list(
            batch.order_by("-created_at", "-pk").values_list("pk", "created_at", "level")[:READ]
        )
        if not rows:
            return found, False
        hinted = [row for row in rows if progress is None or row[2] is None or row[2] <= progress][
            :CANDIDATES
        ]
        # Where the next batch starts: after the last row looked at.
        last = hinted[-1] if len(hinted) == CANDIDATES else rows[-1]
        if hinted:
            kept = set(
                visible.filter(pk__in=[row[0] for row in hinted])
                .order_by()
                .values_list("pk", flat=True)
            )
            found += [row[0] for row in hinted if row[0] in kept]
        if len(found) >= wanted or (len(rows) < READ and last is rows[-1]):
            return found[:wanted], False
        after = (last[1], last[0])
    return found, True


def search(text, *, progress, include_spoilers=False, filters=None, page=1) -> Search:
    """One page of what ``text`` finds for a reader who has watched up to
    ``progress``:

    1. the newest ``MOST`` matches the reader may see, as ids (``_newest_shown``:
       two queries a batch of candidates, one batch for most searches, at most
       ``MAX_BATCHES``);
    2. for "best match", those ids ranked by relevance (one query);
    3. the page's documents with what shows them (one query).

    So a count past ``MOST`` reads "100+", and "best match" is the best of the
    newest 100 matches (all of them, for most searches): a search that finds more
    asks for another word, as the page says."""
    filters = filters or Filters()
    query = parse(text, glossary.current())
    result = Search(query, notes=list(query.notes))
    if query.problem:
        return result
    visible = Document.objects.filter(shown())
    if not include_spoilers:
        visible = visible.filter(within_progress(progress))
    visible = _joined(visible, filters)
    pks, result.cut_short = _newest_shown(
        query, visible, filters, MOST + 1, progress=None if include_spoilers else progress
    )
    result.more = len(pks) > MOST or result.cut_short
    pks = pks[:MOST]
    if filters.sort != NEWEST and len(pks) > 1:
        ranked = (
            Document.objects.filter(pk__in=pks)
            .annotate(rank=_rank(query))
            .order_by(F("rank").desc(), "-created_at", "-pk")
        )
        pks = list(ranked.values_list("pk", flat=True))
    result.page_obj = Paginator(pks, PER_PAGE).get_page(page)
    found = Document.objects.select_related(
        "comment__thread__board",
        "comment__article__spoils_episode",
        "thread__board",
        "article__spoils_episode",
        "board",
        "episode",
        "member",
        "author",
    ).in_bulk(list(result.page_obj.object_list))
    result.page_obj.object_list = [found[pk] for pk in result.page_obj.object_list if pk in found]
    return result
