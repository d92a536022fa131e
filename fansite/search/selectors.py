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
from django.db.models import F, FloatField, Q
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
# Matches read from the index at a time, how many to the live rules, and the most
# times (``_newest_shown``); how many of the newest documents a read walks before
# it asks the full-text index for the older matches instead (``_read``).
CANDIDATES = 150
MAX_BATCHES = 10
WINDOW = 4000
RELEVANCE, NEWEST = "relevance", "newest"
# What a page of results shows (fansite.search.results), and no more: comments'
# and posts' bodies stay in the database.
PAGE_RELATIONS = (
    "comment__thread__board",
    "comment__article__spoils_episode",
    "thread__board",
    "article__spoils_episode",
    "board",
    "episode",
    "member",
    "author",
)
PAGE_FIELDS = (
    "kind",
    "title",
    "text",
    "created_at",
    "comment__thread_id",
    "comment__article_id",
    "comment__spoils_episode_id",
    "comment__thread__title",
    "comment__thread__spoils_episode_id",
    "comment__thread__board__title",
    "comment__article__title",
    "comment__article__slug",
    "comment__article__spoils_episode__position",
    "thread__spoils_episode_id",
    "thread__board__title",
    "article__slug",
    "article__spoils_episode__position",
    "board__slug",
    "episode__position",
    "member__username",
    "author__username",
    "author__display_name",
)
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


def _match_sql(query: Query):
    """The full-text condition on a document's columns (``vector`` on PostgreSQL,
    ``id`` on SQLite): the columns it needs, the SQL and its parameters."""
    if connection.vendor == "postgresql":
        return ", vector", "vector @@ to_tsquery('simple', %s)", [to_tsquery(query)]
    return (
        "",
        "id IN (SELECT rowid FROM search_document_fts WHERE search_document_fts MATCH %s)",
        [to_fts5(query)],
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


def _own_columns(filters: Filters):
    """The filters the documents' own columns answer (no join), as SQL conditions
    and their parameters."""
    conditions, params = [], []
    if filters.kinds:
        conditions.append(f"kind IN ({', '.join(['%s'] * len(filters.kinds))})")
        params += filters.kinds
    if filters.author is not None:
        conditions.append("author_id = %s")
        params.append(filters.author.pk)
    if filters.within_days:
        conditions.append("created_at >= %s")
        since = timezone.now() - timedelta(days=filters.within_days)
        params.append(connection.ops.adapt_datetimefield_value(since))
    return conditions, params


def _joined(documents, filters: Filters):
    """The filters read from the things themselves."""
    if filters.board is not None:
        documents = documents.filter(
            Q(thread__board=filters.board) | Q(comment__thread__board=filters.board)
        )
    if filters.articles_only:
        documents = documents.filter(Q(kind=Kind.ARTICLE) | Q(comment__article__isnull=False))
    return documents


NEWEST_FIRST = "ORDER BY created_at DESC, id DESC"


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _read(query, own, progress, after, limit):
    """The ``limit`` newest matches meeting the ``own`` conditions and older than
    ``after``, as (pk, created_at) rows, newest first; for a reader at ``progress``
    (None: spoilers included), without those gated when indexed (the level hint,
    Document.level: the live rules decide on the rest). One query.

    Who picks the plan matters most here, and the planner cannot: it misjudges how
    many documents a full-text query matches (several times too few for two common
    words, far too many for "-word"). So this does. ``recent`` walks the
    ``WINDOW`` newest documents (the ``search_newest`` index, nothing sorted),
    where a common word's matches are found at once. Only when they hold fewer
    than ``limit`` (a one-time filter: otherwise it never runs), ``older`` reads
    the matches older than the window from the full-text index: the query matches
    under ``limit / WINDOW`` of the documents, so they are few. Both are
    materialised, which the planner cannot turn back into a walk. Either way a
    read looks at about ``WINDOW`` documents at most."""
    columns, match, match_params = _match_sql(query)
    if progress is not None:
        match = f"{match} AND (level IS NULL OR level <= %s)"
        match_params = [*match_params, progress]
    conditions, params = list(own[0]), list(own[1])
    if after is not None:
        conditions.append("(created_at, id) < (%s, %s)")
        params += list(after)
    where = " AND ".join(conditions) or "1 = 1"
    # The window's oldest document; none when the window holds all there are.
    edge = (
        f"SELECT created_at, id FROM search_document WHERE {where} {NEWEST_FIRST} LIMIT 1 OFFSET %s"
    )
    rows = _rows(
        f"""WITH recent AS MATERIALIZED (
            SELECT id, created_at FROM (
                SELECT id, created_at, level{columns} FROM search_document
                WHERE {where} {NEWEST_FIRST} LIMIT %s
            ) AS window_ WHERE {match} {NEWEST_FIRST} LIMIT %s
        ), older AS MATERIALIZED (
            SELECT id, created_at FROM search_document
            WHERE (SELECT count(*) FROM recent) < %s
            AND {where} AND (created_at, id) < ({edge}) AND {match}
        )
        SELECT id, created_at FROM recent
        UNION ALL
        SELECT id, created_at FROM (
            SELECT id, created_at FROM older {NEWEST_FIRST} LIMIT %s
        ) AS older_""",
        [
            *(*params, WINDOW, *match_params, limit),
            *(limit, *params, *params, WINDOW - 1, *match_params, limit),
        ],
    )
    rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
    return rows[:limit]


def _newest_shown(query, visible, filters, wanted, progress=None):
    """Up to ``wanted`` ids of the newest matches in ``visible`` (the live rules),
    and whether the look ended early. Matches are read newest first,
    ``CANDIDATES`` at a time (``_read``); the live rules decide on those, joined to
    these rows only."""
    own = _own_columns(filters)
    found, after = [], None
    for _batch in range(MAX_BATCHES):
        rows = _read(query, own, progress, after, CANDIDATES)
        if rows:
            pks = [pk for pk, _ in rows]
            kept = set(visible.filter(pk__in=pks).order_by().values_list("pk", flat=True))
            found += [pk for pk, _ in rows if pk in kept]
        if len(found) >= wanted or len(rows) < CANDIDATES:
            return found[:wanted], False
        after = (rows[-1][1], rows[-1][0])
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
    found = (
        Document.objects.select_related(*PAGE_RELATIONS)
        .only(*PAGE_FIELDS)
        .in_bulk(list(result.page_obj.object_list))
    )
    result.page_obj.object_list = [found[pk] for pk in result.page_obj.object_list if pk in found]
    return result
