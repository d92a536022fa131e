"""Comments for the conversation pages, read with statements written once per process.

A thread page reads its comments in a few statements: the counts, the page's
top-level comments with their authors and the comments they answer, and the
first replies of each. Built by the ORM on every request, each of those cost
about a millisecond to compile and another to turn into objects, several times
what the database took to run it. Here each statement is written once per
process from the models' own table and column names, and its rows become the
same model instances the ORM would build (``Model.from_db``, after the
database backend's own converters), with authors and answered comments
attached as ``select_related`` would attach them.

The comment a reply answers is loaded with its id and author only (the card
shows "replying to @name" and links to it), and members with what cards show of
them (id, username, display name, avatar); their other fields are deferred.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import accumulate, pairwise

from django.contrib.auth import get_user_model
from django.db import connection

from fansite.threads.models import Thread
from fansite.web import statements

from .models import Comment


class _Select:
    """The columns of a comment, its author, the comment it answers and that
    comment's author (fansite.web.statements), for one database vendor."""

    ANSWERED = ("id", "author_id")
    # What cards show of a member (their name, their avatar, their profile's
    # address); the rest is deferred, as ``only()`` would.
    PERSON = ("id", "username", "display_name", "avatar")

    def __init__(self):
        user = get_user_model()
        quote = connection.ops.quote_name
        self.parts = [
            statements.Columns(Comment, "c"),
            statements.Columns(user, "a", self.PERSON),
            statements.Columns(Comment, "r", self.ANSWERED),
            statements.Columns(user, "ra", self.PERSON),
        ]
        self.width = sum(map(len, self.parts))
        ends = [0, *accumulate(map(len, self.parts))]
        self.places = [slice(start, end) for start, end in pairwise(ends)]
        self.columns = ", ".join(part.sql for part in self.parts)
        comment_table = quote(Comment._meta.db_table)
        user_table = quote(user._meta.db_table)
        self.joins = (
            f"LEFT JOIN {user_table} a ON a.{quote('id')} = c.{quote('author_id')} "
            f"LEFT JOIN {comment_table} r ON r.{quote('id')} = c.{quote('reply_to_id')} "
            f"LEFT JOIN {user_table} ra ON ra.{quote('id')} = r.{quote('author_id')}"
        )
        self.table = comment_table

    def objects(self, rows):
        """Model instances from ``rows`` (each a row of ``self.columns`` followed by
        any extra values, returned beside the comment).

        A member who wrote several of the rows (or is answered in several) is one
        instance for all of them, as ``prefetch_related`` shares a related row: a
        page's fifty cards are written by a few members."""
        alias = connection.alias
        (comment_part, answered_part), (author_part, answered_author_part) = (
            self.parts[0::2],
            self.parts[1::2],
        )
        comment_at, author_at, answered_at, answered_author_at = self.places
        plain_comment = statements.plain_model(comment_part.model)
        plain_person = statements.plain_model(author_part.model)
        people = {}
        author_name = Comment.author.field.cache_name
        answered_name = Comment.reply_to.field.cache_name

        def person(values, part):
            if values[0] is None:
                return None
            values = tuple(values)
            found = people.get(values)
            if found is None:
                found = people[values] = part.instance(values, plain_person, alias)
            return found

        made = []
        for row in rows:
            comment = comment_part.instance(row[comment_at], plain_comment, alias)
            answered = answered_part.instance(row[answered_at], plain_comment, alias)
            if answered is not None:
                answered._state.fields_cache = {
                    author_name: person(row[answered_author_at], answered_author_part)
                }
            comment._state.fields_cache = {
                author_name: person(row[author_at], author_part),
                answered_name: answered,
            }
            made.append((comment, row[self.width :]))
        return made


@lru_cache(maxsize=4)
def _select(vendor):
    return _Select()


def _target_column(target):
    return "thread_id" if isinstance(target, Thread) else "article_id"


def counts(target) -> tuple[int, int]:
    """Every comment on ``target`` and its top-level ones, in one statement."""
    quote = connection.ops.quote_name
    sql = (
        "SELECT COUNT(*), "
        f"COALESCE(SUM(CASE WHEN {quote('parent_id')} IS NULL THEN 1 ELSE 0 END), 0) "
        f"FROM {quote(Comment._meta.db_table)} WHERE {quote(_target_column(target))} = %s"
    )
    total, top_level = statements.run(sql, [target.pk])[0]
    return int(total), int(top_level)


def thread_counts(thread_pk) -> tuple[int, int, int]:
    """A thread's comments, top-level comments and replies (its ``reply_count``), in
    one statement."""
    quote = connection.ops.quote_name
    sql = (
        "SELECT COUNT(*), "
        f"COALESCE(SUM(CASE WHEN {quote('parent_id')} IS NULL THEN 1 ELSE 0 END), 0), "
        f"(SELECT {quote('reply_count')} FROM {quote(Thread._meta.db_table)} "
        f"WHERE {quote('id')} = %s) "
        f"FROM {quote(Comment._meta.db_table)} WHERE {quote('thread_id')} = %s"
    )
    total, top, replies = statements.run(sql, [thread_pk, thread_pk])[0]
    return int(total), int(top), int(replies or 0)


def top_level(target, *, newest_first, offset, limit) -> list[Comment]:
    """``limit`` of ``target``'s top-level comments from ``offset``, oldest (or
    newest) first, authors and answered comments attached."""
    select = _select(connection.vendor)
    quote = connection.ops.quote_name
    order = "DESC" if newest_first else "ASC"
    sql = (
        f"SELECT {select.columns} FROM {select.table} c {select.joins} "
        f"WHERE c.{quote(_target_column(target))} = %s AND c.{quote('parent_id')} IS NULL "
        f"ORDER BY c.{quote('id')} {order} LIMIT %s OFFSET %s"
    )
    found = statements.run(sql, [target.pk, limit, offset])
    return [comment for comment, _extra in select.objects(found)]


def by_ids(pks) -> dict[int, Comment]:
    """The comments ``pks`` (those that still exist), authors and answered comments
    attached, by id."""
    if not pks:
        return {}
    select = _select(connection.vendor)
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(pks))
    sql = (
        f"SELECT {select.columns} FROM {select.table} c {select.joins} "
        f"WHERE c.{quote('id')} IN ({marks})"
    )
    found = statements.run(sql, list(pks))
    return {comment.pk: comment for comment, _extra in select.objects(found)}


def first_replies(parent_pks, shown) -> list[tuple[Comment, int]]:
    """The first ``shown`` replies of each of ``parent_pks``, oldest first, each with
    how many replies its parent has in all."""
    if not parent_pks:
        return []
    select = _select(connection.vendor)
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(parent_pks))
    parent, pk = quote("parent_id"), quote("id")
    # The window runs over the replies' ids and parents alone (the parent index
    # holds both), and only the replies shown are read whole: over whole rows it
    # carried every reply's text through two sorts.
    sql = (
        f"SELECT {select.columns}, w.siblings FROM ("
        f"SELECT x.{pk} AS shown_id, "
        f"ROW_NUMBER() OVER (PARTITION BY x.{parent} ORDER BY x.{pk}) AS position, "
        f"COUNT(*) OVER (PARTITION BY x.{parent}) AS siblings "
        f"FROM {select.table} x WHERE x.{parent} IN ({marks})"
        f") w JOIN {select.table} c ON c.{pk} = w.shown_id {select.joins} "
        f"WHERE w.position <= %s ORDER BY c.{pk}"
    )
    rows = statements.run(sql, [*parent_pks, shown])
    return [(comment, int(extra[0])) for comment, extra in select.objects(rows)]


def best(thread, limit) -> list[Comment]:
    """The thread's ``limit`` visible comments with the highest Top score above 0
    (those with a reaction: fansite.reactions.scoring), on the
    ``comment_thread_top`` index."""
    select = _select(connection.vendor)
    quote = connection.ops.quote_name
    score, pk = quote("top_score"), quote("id")
    sql = (
        f"SELECT {select.columns} FROM {select.table} c {select.joins} "
        f"WHERE c.{quote('thread_id')} = %s AND c.{score} > 0 "
        f"AND c.{quote('is_removed')} = %s AND c.{quote('is_hidden')} = %s "
        f"ORDER BY c.{score} DESC, c.{pk} DESC LIMIT %s"
    )
    rows = statements.run(sql, [thread.pk, False, False, limit])
    return [comment for comment, _extra in select.objects(rows)]
