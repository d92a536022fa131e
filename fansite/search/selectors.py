"""Searching: the documents a query finds that this reader may see (docs/search.md).

Everything a reader may not see is left out in SQL, so pages and counts hold only
what they may see: hidden and removed comments, hidden threads, unpublished
articles and inactive members never; anything that spoils an episode beyond the
reader's progress unless they asked to include spoilers (then it comes back as a
gate, without its text: fansite.search.results). Both are read live from the
things themselves, not from the index.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache, reduce
from types import SimpleNamespace

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, FloatField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.utils import timezone

from fansite.articles.models import Article
from fansite.web.lookups import AnyOf

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
CANDIDATES = 120
MAX_BATCHES = 10
WINDOW = 4000
RELEVANCE, NEWEST = "relevance", "newest"
# What a page of results shows (fansite.search.results), read as values (no
# models: twenty results would build a hundred), by kind: a page joins only the
# tables of the kinds on it.
AUTHOR = ("author__username", "author__display_name")
PAGE_VALUES = {
    Kind.COMMENT: (
        *("comment_id", "comment__thread_id", "comment__article_id"),
        *("comment__spoils_episode_id", "comment__thread__title"),
        *("comment__thread__spoils_episode_id", "comment__thread__board__title"),
        *("comment__article__title", "comment__article__slug"),
        *("comment__article__spoils_episode_id", "comment__article__spoils_episode__position"),
        *AUTHOR,
    ),
    Kind.THREAD: ("thread_id", "thread__spoils_episode_id", "thread__board__title", *AUTHOR),
    Kind.ARTICLE: (
        *("article__slug", "article__spoils_episode_id", "article__spoils_episode__position"),
        *AUTHOR,
    ),
    Kind.BOARD: ("board__slug",),
    Kind.EPISODE: ("episode__position",),
    Kind.MEMBER: ("member__username",),
}
WHEN = {"day": 1, "week": 7, "month": 31, "year": 366}


@dataclass
class Filters:
    kinds: tuple[str, ...] = ()
    board: object = None  # a Board or its pk: its threads and their comments
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


def _rank(query: Query):
    """Higher is better (PostgreSQL; SQLite's comes with the read: ``_sqlite_read``)."""
    return RawSQL(
        "ts_rank(search_document.vector, to_tsquery('simple', %s))",
        [to_tsquery(query)],
        output_field=FloatField(),
    )


def _published(prefix):
    return Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            # The database's clock, so that the rules need no rebuilding (visible).
            f"{prefix}published_at__lte": Now(),
        }
    )


def shown(kind):
    """Whether readers see a document of ``kind`` at all."""
    if kind == Kind.COMMENT:
        return Q(comment__is_removed=False, comment__is_hidden=False) & (
            Q(comment__thread__is_hidden=False) | _published("comment__article__")
        )
    if kind == Kind.THREAD:
        return Q(thread__is_hidden=False)
    if kind == Kind.ARTICLE:
        return _published("article__")
    if kind == Kind.MEMBER:
        return Q(member__is_active=True)
    return Q()  # boards and episodes


def _within(path, progress):
    return Q(**{f"{path}__isnull": True}) | Q(**{f"{path}__lte": progress})


def within_progress(kind, progress: int):
    """Whether a document of ``kind`` spoils nothing beyond ``progress``: the
    spoiler gate's rule (fansite.spoilers.readers.Reader.spoils: a level above the
    progress is gated), with a comment's thread or article counted too."""
    if kind == Kind.COMMENT:
        return (
            _within("comment__spoils_episode", progress)
            & _within("comment__thread__spoils_episode", progress)
            & _within("comment__article__spoils_episode__position", progress)
        )
    if kind == Kind.THREAD:
        return _within("thread__spoils_episode", progress)
    if kind == Kind.ARTICLE:
        return _within("article__spoils_episode__position", progress)
    return Q()  # boards, episodes and members spoil nothing


def visible(kinds, progress, filters: Filters):
    """Documents of ``kinds`` this reader may see (``progress`` None: spoilers
    included), with the filters only the things themselves answer. Only the
    rules of the kinds asked for are joined: each kind brings its own tables."""
    board = getattr(filters.board, "pk", filters.board)
    return _visible(frozenset(kinds), progress, board, filters.articles_only)


@lru_cache(maxsize=1024)
def _visible(kinds, progress, board, articles_only):
    """``visible``, built once for each set of arguments (a few milliseconds a
    search otherwise): the queryset is only ever filtered further, never
    evaluated itself, so every search can share it."""
    rules = []
    for kind in sorted(kinds):
        rule = Q(kind=kind) & shown(kind)
        if progress is not None:
            rule &= within_progress(kind, progress)
        rules.append(rule)
    documents = Document.objects.filter(reduce(operator.or_, rules))
    if board is not None:
        documents = documents.filter(Q(thread__board=board) | Q(comment__thread__board=board))
    if articles_only:
        documents = documents.filter(Q(kind=Kind.ARTICLE) | Q(comment__article__isnull=False))
    return documents


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


NEWEST_FIRST = "ORDER BY created_at DESC, id DESC"


def _rows(sql, params):
    """The rows of ``sql``; on PostgreSQL planned without sequential scans.

    A read's ``matched`` runs only when the query matches few documents, where
    the full-text index is the way; but it is planned before anyone knows, from
    the planner's guess, and a guess of "a fifth of everything" (``a -b``, where
    a rarely comes without b) plans a scan of the whole table. ``SET LOCAL``
    holds for this statement's transaction only (the statements sent together
    are one, outside a transaction); ``RESET`` ends it inside one."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        cursor.execute(f"SET LOCAL enable_seqscan = off; {sql}; RESET enable_seqscan", params)
        cursor.nextset()
        return cursor.fetchall()


def _read(query, own, progress, after, limit, ranked):
    """The ``limit`` newest matches meeting the ``own`` conditions and older than
    ``after``, as (pk, created_at, kind, score) rows, newest first (score: SQLite's
    relevance when ``ranked``, else None); for a reader at ``progress`` (None:
    spoilers included), without those gated when indexed (the level hint,
    Document.level: the live rules decide on the rest). One query.

    Who picks the plan matters most here, and the planner cannot: it misjudges how
    many documents a full-text query matches (several times too few for two common
    words, far too many for "-word"). So this does. ``recent`` walks the
    ``WINDOW`` newest documents (the ``search_newest`` index, nothing sorted),
    where a common word's matches are found at once. Only when they hold fewer
    than ``limit`` (a one-time filter: otherwise it never runs), ``older`` reads
    the matches older than the window from the full-text index: the query matches
    under ``limit / WINDOW`` of the documents, so they are few. Either way a read
    looks at about ``WINDOW`` documents at most."""
    conditions, params = list(own[0]), list(own[1])
    if after is not None:
        conditions.append("(created_at, id) < (%s, %s)")
        params += list(after)
    where = " AND ".join(conditions) or "1 = 1"
    # First: a gated document is passed over before its text is matched.
    level, level_params = "1 = 1", []
    if progress is not None:
        level, level_params = "(level IS NULL OR level <= %s)", [progress]
    # The window's oldest document; none when the window holds all there are.
    edge = (
        f"SELECT created_at, id FROM search_document WHERE {where} {NEWEST_FIRST} LIMIT 1 OFFSET %s"
    )
    edge_params = [*params, WINDOW - 1]
    if connection.vendor == "postgresql":
        match = f"{level} AND vector @@ to_tsquery('simple', %s)"
        match_params = [*level_params, to_tsquery(query)]
        sql = f"""WITH recent AS MATERIALIZED (
            SELECT id, created_at, kind FROM (
                SELECT id, created_at, kind, level, vector FROM search_document
                WHERE {where} {NEWEST_FIRST} LIMIT %s
            ) AS window_ WHERE {match} {NEWEST_FIRST} LIMIT %s
        ), matched AS MATERIALIZED (
            SELECT id, created_at, kind, author_id FROM search_document
            WHERE (SELECT count(*) FROM recent) < %s AND {match}
        ), older AS (
            SELECT id, created_at, kind FROM matched
            WHERE {where} AND (created_at, id) < ({edge})
        )
        SELECT id, created_at, kind, NULL FROM recent
        UNION ALL
        SELECT id, created_at, kind, NULL FROM (
            SELECT id, created_at, kind FROM older {NEWEST_FIRST} LIMIT %s
        ) AS older_"""
        sql_params = [
            *(*params, WINDOW, *match_params, limit),
            *(limit, *match_params, *params, *edge_params, limit),
        ]
    else:
        # FTS5 answers a MATCH for all its rows at once and no faster for one:
        # ``scored`` reads every match once (with bm25 for "best match"), and
        # the rest joins to it.
        score = "-bm25(search_document_fts)" if ranked else "NULL"
        sql = f"""WITH scored AS MATERIALIZED (
            SELECT rowid AS id, {score} AS score FROM search_document_fts
            WHERE search_document_fts MATCH %s
        ), recent AS MATERIALIZED (
            SELECT window_.id, window_.created_at, window_.kind, scored.score FROM (
                SELECT id, created_at, kind, level FROM search_document
                WHERE {where} {NEWEST_FIRST} LIMIT %s
            ) AS window_ JOIN scored ON scored.id = window_.id
            WHERE {level} ORDER BY window_.created_at DESC, window_.id DESC LIMIT %s
        ), older AS (
            SELECT * FROM (
                SELECT d.id, d.created_at, d.kind, d.author_id, d.level, scored.score
                FROM scored CROSS JOIN search_document AS d ON d.id = scored.id
                WHERE (SELECT count(*) FROM recent) < %s
            ) AS matched WHERE {where} AND {level} AND (created_at, id) < ({edge})
        )
        SELECT id, created_at, kind, score FROM recent
        UNION ALL
        SELECT id, created_at, kind, score FROM (
            SELECT id, created_at, kind, score FROM older {NEWEST_FIRST} LIMIT %s
        ) AS older_"""
        sql_params = [
            *(to_fts5(query), *params, WINDOW, *level_params, limit),
            *(limit, *params, *level_params, *edge_params, limit),
        ]
    rows = _rows(sql, sql_params)
    rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
    return rows[:limit]


def _newest_shown(query, filters, wanted, progress, ranked):
    """Up to ``wanted`` of the newest matches the reader may see, as {pk: (kind,
    rank)} in that order (rank None unless ``ranked``), and whether the look
    ended early. Matches are read newest first, ``CANDIDATES`` at a time
    (``_read``); the live rules (``visible``) decide on those, joined to these
    rows only, and on PostgreSQL rank the ones they keep in the same query."""
    own = _own_columns(filters)
    rank_kept = ranked and connection.vendor == "postgresql"
    found, after = {}, None
    for _batch in range(MAX_BATCHES):
        rows = _read(query, own, progress, after, CANDIDATES, ranked)
        if rows:
            candidates = visible({row[2] for row in rows}, progress, filters).filter(
                AnyOf(F("pk"), [row[0] for row in rows])
            )
            if rank_kept:
                candidates = candidates.annotate(rank=_rank(query))
            kept = dict(candidates.order_by().values_list("pk", "rank" if rank_kept else "kind"))
            found.update(
                (pk, (kind, kept[pk] if rank_kept else score))
                for pk, _, kind, score in rows
                if pk in kept
            )
        if len(found) >= wanted or len(rows) < CANDIDATES:
            return dict(list(found.items())[:wanted]), False
        after = rows[-1][1], rows[-1][0]
    return found, True


def _page(pks, kinds):
    """The page's documents with what shows them, as ``SimpleNamespace``s of the
    fields in ``PAGE_VALUES`` (the tables of ``kinds`` only)."""
    if not pks:
        return []
    fields = {"kind", "key", "title", "text", "created_at"}
    for kind in kinds:
        fields.update(PAGE_VALUES[kind])
    rows = Document.objects.filter(AnyOf(F("pk"), pks)).values("pk", *fields)
    found = {row["pk"]: SimpleNamespace(**row) for row in rows}
    return [found[pk] for pk in pks if pk in found]


def search(text, *, progress, include_spoilers=False, filters=None, page=1) -> Search:
    """One page of what ``text`` finds for a reader who has watched up to
    ``progress``:

    1. the newest ``MOST`` matches the reader may see, as ids, with their rank
       for "best match" (``_newest_shown``: two queries a batch of candidates,
       one batch for most searches, at most ``MAX_BATCHES``);
    2. the page's documents with what shows them (one query).

    So a count past ``MOST`` reads "100+", and "best match" is the best of the
    newest 100 matches (all of them, for most searches): a search that finds more
    asks for another word, as the page says."""
    filters = filters or Filters()
    query = parse(text, glossary.current())
    result = Search(query, notes=list(query.notes))
    if query.problem:
        return result
    ranked = filters.sort != NEWEST
    found, result.cut_short = _newest_shown(
        query, filters, MOST + 1, None if include_spoilers else progress, ranked
    )
    result.more = len(found) > MOST or result.cut_short
    pks = list(found)[:MOST]
    if ranked:
        # Stable: among equal ranks, newest first, as found.
        pks.sort(key=lambda pk: -found[pk][1])
    result.page_obj = Paginator(pks, PER_PAGE).get_page(page)
    on_page = list(result.page_obj.object_list)
    result.page_obj.object_list = _page(on_page, {found[pk][0] for pk in on_page})
    return result
