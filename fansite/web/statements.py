"""Rows read with SQL written once per process, turned into the ORM's own instances.

Building a queryset and compiling it costs a Django page far more than the
database takes to answer it (about a millisecond against a tenth, for a row by its
key). The busiest reads (a page's comments, the member behind every request)
write their statement once from the models' own table and column names and
build each row into the instance the ORM would build: the database backend's
converters applied, then ``Model.from_db``, deferring the columns not read.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from weakref import ref as weak_ref

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.backends.sqlite3.operations import DatabaseOperations as SQLiteOperations
from django.db.models import Count, Model, Window
from django.db.models.base import ModelState
from django.db.models.query import _get_from_db, get_related_populators
from django.db.models.signals import post_init, pre_init
from django.utils.asyncio import async_unsafe
from django.utils.dateparse import parse_datetime

from .lru import ClearedWhenFull


class Columns:
    """Some of ``model``'s columns (all, or those named), as ``alias.column`` in a
    statement, and how to make an instance from their values in a row."""

    def __init__(self, model, alias, names=None):
        quote = connection.ops.quote_name
        self.model = model
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if names is None or field.attname in names
        ]
        self.names = [field.attname for field in self.fields]
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        # (place, converters, column) of the columns that have converters.
        self.converters = []
        for index, field in enumerate(self.fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            found = quicker(found)
            if found:
                self.converters.append((index, found, col))

    def __len__(self):
        return len(self.fields)

    def instance(self, values, plain=None, alias=None):
        """The instance for ``values`` (this many of a row's), or None when the row
        has none (the first value, the key, is NULL: a LEFT JOIN found nothing).
        ``plain`` (``plain_model(model)``) and ``alias`` (the connection's), when
        the caller worked them out once for many rows."""
        if values[0] is None:
            return None
        values = list(values)
        for index, converters, col in self.converters:
            for convert in converters:
                values[index] = convert(values[index], col, connection)
        if alias is None:
            alias = connection.alias
        if not (plain_model(self.model) if plain is None else plain):
            return self.model.from_db(alias, self.names, values)
        return _made(self.model, self.names, values, alias)


def aware_datetime(value, expression, connection):
    """SQLite's converter of a datetime column (``convert_datetimefield_value``) in
    fewer calls: the value the sqlite3 module parsed (or the text, parsed here) in
    the connection's time zone when ``USE_TZ``. Django's asks ``is_aware`` twice
    and ``make_aware`` once for each; a page drawn afresh reads some forty
    datetimes, and that was about 4% of the home page on SQLite. A value whose
    ``tzinfo`` is set is left as it is, as the sqlite3 module never sets one."""
    if value is not None:
        if not isinstance(value, datetime):
            value = parse_datetime(value)
        if value.tzinfo is None and settings.USE_TZ:
            value = value.replace(tzinfo=connection.timezone)
    return value


def quicker(converters):
    """``converters`` (a column's, as the ORM lists them) with SQLite's datetime
    converter replaced by ``aware_datetime``; the others as they are."""
    return [
        aware_datetime
        if getattr(convert, "__func__", None) is SQLiteOperations.convert_datetimefield_value
        else convert
        for convert in converters
    ]


def plain_model(model) -> bool:
    """Whether ``model``'s instances may be made by ``_made``: its ``from_db`` is
    Django's own, and nothing listens for ``pre_init`` or ``post_init`` (asked on
    every read: a receiver may be connected at any time)."""
    return (
        model.from_db.__func__ is Model.from_db.__func__
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
    )


def _made(model, names, values, alias, fetch_mode=None):
    """What ``model.from_db(alias, names, values)`` makes, without ``Model.__init__``
    (only where ``plain_model(model)``).

    ``__init__`` only makes the instance's state and sets each column's value,
    through descriptors that, on a new instance, store it in its ``__dict__``; a
    column not read is left out of it, as the ORM defers it. For a page's hundred
    comments and their authors this is about half the time of building them."""
    new = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    if fetch_mode is not None:
        state.fetch_mode = fetch_mode
    new._state = state
    new.__dict__.update(zip(names, values, strict=True))
    return new


@functools.cache
def _preparing_cursor():
    """Django's server-binding psycopg cursor, preparing each statement it runs
    (psycopg keeps a connection's last hundred)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            kwargs.setdefault("prepare", True)
            return super().execute(query, params, **kwargs)

    return PreparingCursor


def _cursor():
    """A cursor for these statements. On PostgreSQL it binds the values on the
    server, not into the statement's text, and prepares each statement: PostgreSQL
    plans it once per connection instead of on every page (``PREPARED_STATEMENTS``,
    on unless a transaction pooler sits between the site and the database).
    Django's own wrapper is kept around it (its errors, its execute wrappers)."""
    if (
        connection.vendor != "postgresql"
        or not settings.PREPARED_STATEMENTS
        # Where queries are logged (DEBUG, a test counting them), Django logs
        # what the usual cursor sends, the statement with its values in it.
        or connection.queries_logged
    ):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        return connection.make_cursor(_preparing_cursor()(connection.connection))


def run(sql, params):
    """Every row ``sql`` gives with ``params``."""
    db = connections[DEFAULT_DB_ALIAS]
    if not db.queries_logged and not db.execute_wrappers:
        if db.vendor == "sqlite":
            return _sqlite_rows(db, sql, params)
        if db.vendor == "postgresql" and settings.PREPARED_STATEMENTS:
            return _postgresql_rows(db, sql, params)
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Each statement as SQLite's own placeholders, worked out once. Statements with a
# list of values (``IN (%s, %s, …)``) differ by its length, hence the bound.
_QMARK_SQL = ClearedWhenFull(1024)


@async_unsafe
def _sqlite_rows(db, sql, params):
    """``run`` on SQLite, straight on the sqlite3 connection: what Django's cursor
    wrapper adds (placeholders rewritten on every call, two wrappers, each
    reaching the connection through the thread's connections) cost a member's
    row a third more than SQLite took to read it. What it checks is checked
    here too, and the database's errors are Django's."""
    query = _QMARK_SQL.get(sql)
    if query is None:
        query = _QMARK_SQL[sql] = FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")
    _ready(db)
    with db.wrap_database_errors:
        cursor = db.connection.execute(query, params)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()


def _ready(db):
    """What Django checks before a statement on its cursor, for the two that run
    past it: the kept connection's health, a connection at all, this thread's,
    and not in a transaction that must roll back."""
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()


_HELD_CURSOR = "_fansite_statements_cursor"


@async_unsafe
def _postgresql_rows(db, sql, params):
    """``run`` on PostgreSQL, on one preparing cursor kept with the connection
    rather than a new cursor (and Django's wrapper around it) for every
    statement. What Django's cursor checks is checked here too, and the
    database's errors are Django's."""
    _ready(db)
    raw = db.connection
    held = db.__dict__.get(_HELD_CURSOR)
    with db.wrap_database_errors:
        if held is None or held[0] is not raw or held[1].closed:
            held = db.__dict__[_HELD_CURSOR] = (raw, _preparing_cursor()(raw))
        cursor = held[1]
        cursor.execute(sql, params)
        return cursor.fetchall()


def fits_key(model, value) -> bool:
    """Whether ``value`` (an int) can be ``model``'s primary key in this database: a
    key from an address may be any number, and the ORM answers "no such row" for
    one past the column's range rather than letting the database fail on it."""
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


def _stand_in(index, value):
    """A value of ``value``'s kind that no row holds, the ``index``-th of a statement:
    where it lands among the compiled statement's parameters is where each call's
    own value goes."""
    if isinstance(value, bool):
        raise TypeError("a flag picks a statement's shape; pass it in the shape, not as a value")
    if isinstance(value, int):
        return -7_350_912_746_018 - index
    if isinstance(value, str):
        return f"\x00stand-in {index}\x00"
    if isinstance(value, datetime):
        return datetime(1901, 2, 3, 4, 5, 6, index, tzinfo=UTC)
    raise TypeError(f"no stand-in for a {type(value).__name__}")


def _as_param(value):
    """``value`` as the ORM passes it to the database (a datetime in the database's
    own form; ints and strings as they are)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class _Statement:
    """A statement compiled with stand-ins, and where each call's values go."""

    used = "every value"

    def __init__(self, sql, params, stand_ins):
        self.sql = sql
        self.params = tuple(params)
        stand_ins = [_as_param(value) for value in stand_ins]
        self.slots = [
            (place, stand_ins.index(param))
            for place, param in enumerate(params)
            if not isinstance(param, bool) and param in stand_ins
        ]
        if {index for _place, index in self.slots} != set(range(len(stand_ins))):
            raise ValueError(f"the queryset does not use {self.used} it is built with")

    def run(self, values):
        params = list(self.params)
        for place, index in self.slots:
            params[place] = _as_param(values[index])
        return run(self.sql, params)


class _OneValue(_Statement):
    used = "the value"


def _counting(sql, params, stand_ins):
    """The statement counting the rows of ``sql``."""
    return _Statement(f"SELECT COUNT(*) FROM ({sql}) counted", params, stand_ins)


class Prepared:
    """A queryset of plain values compiled once per process and database vendor,
    run again with another value (a member's id) in place of the one it was
    built with: ``Prepared(lambda pk: Follow.objects.filter(member_id=pk)
    .values_list("thread_id", "board_id"))``. ``build`` must depend on nothing
    but its argument (no time, no setting): the statement is written once. Rows
    come back as the database gives them (ids and counts need no converting)."""

    def __init__(self, build):
        self.build = build
        self._compiled = {}

    def _statement(self, kind):
        key = (connection.vendor, kind)
        statement = self._compiled.get(key)
        if statement is None:
            stand_in = _stand_in(0, 0)
            sql, params = self.build(stand_in).query.sql_with_params()
            make = _counting if kind == "count" else _OneValue
            statement = make(sql, params, [stand_in])
            self._compiled[key] = statement
        return statement

    def rows(self, value):
        """The queryset's rows for ``value``."""
        return self._statement("rows").run([value])

    def count(self, value):
        """How many rows the queryset gives for ``value``."""
        return self._statement("count").run([value])[0][0]


class CountAndRows:
    """Two ``Prepared`` querysets of the same value asked in one statement (one round
    trip): how many rows ``counted`` gives and the rows ``listed`` gives, as
    ``CountAndRows(unread, follows).run(pk)`` → ``(count, rows)``."""

    def __init__(self, counted: Prepared, listed: Prepared):
        self.counted = counted
        self.listed = listed
        self._compiled = {}

    def _statement(self):
        statement = self._compiled.get(connection.vendor)
        if statement is None:
            stand_in = _stand_in(0, 0)
            counted, counted_params = self.counted.build(stand_in).query.sql_with_params()
            listed, listed_params = self.listed.build(stand_in).query.sql_with_params()
            # The count on every row, and a row of its own when nothing is listed
            # (``fansite_listed`` NULL).
            sql = (
                "SELECT counted.n, listed.* "
                f"FROM (SELECT COUNT(*) AS n FROM ({counted}) c) counted "
                f"LEFT JOIN (SELECT 1 AS fansite_listed, l.* FROM ({listed}) l) listed ON TRUE"
            )
            statement = _OneValue(sql, (*counted_params, *listed_params), [stand_in])
            self._compiled[connection.vendor] = statement
        return statement

    def run(self, value):
        rows = self._statement().run([value])
        return rows[0][0], [row[2:] for row in rows if row[1] is not None]


class _Selecting(_Statement):
    """A statement selecting instances, with the compiler that wrote it (which
    knows how its columns become instances).

    Its rows become instances as the ORM's ``ModelIterable`` makes them (the
    backend's converters, ``from_db``, each ``select_related`` row attached,
    annotations set), with what ``ModelIterable`` works out on every query (the
    converters of each column, how each related row is built) worked out once,
    with the statement: for a page of thirty threads that was a tenth of the
    board page's time."""

    def __init__(self, queryset, stand_ins):
        self.alias = queryset.db
        self.model = queryset.model
        self.fetch_mode = queryset._fetch_mode
        self.compiler = queryset.query.get_compiler(using=self.alias)
        super().__init__(*self.compiler.as_sql(), stand_ins)
        compiler = self.compiler
        klass_info = compiler.klass_info
        own = klass_info["select_fields"]
        self.own = slice(own[0], own[-1] + 1)
        self.names = [column[0].target.attname for column in compiler.select[self.own]]
        self.from_db = _get_from_db(klass_info["model"], self.fetch_mode)
        self.related = get_related_populators(
            klass_info, compiler.select, self.alias, self.fetch_mode
        )
        self.annotations = list(compiler.annotation_col_map.items())
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("composite keys are not compiled")
        self.converters = {
            place: (quicker(found), column)
            for place, (found, column) in compiler.get_converters(columns).items()
        }

    def instances(self, values):
        rows = self.run(values)
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        model, alias, names, own = self.model, self.alias, self.names, self.own
        # Instances that fetch fields for their peers (FETCH_PEERS) are made as the
        # ORM makes them, through from_db.
        peers = [] if self.fetch_mode.track_peers else None
        plain = _Plain() if peers is None else None
        made = []
        for row in rows:
            if plain is not None and plain[model]:
                instance = _made(model, names, row[own], alias, self.fetch_mode)
            else:
                instance = self.from_db(alias, names, row[own])
            if peers is not None:
                peers.append(weak_ref(instance))
                instance._state.peers = peers
            for related in self.related:
                _populate(related, row, instance, plain)
            for name, place in self.annotations:
                setattr(instance, name, row[place])
            made.append(instance)
        return made


class _Plain(dict):
    """``plain_model`` of each model, asked once per statement's rows."""

    def __missing__(self, model):
        found = self[model] = plain_model(model)
        return found


def _populate(populator, row, from_obj, plain):
    """``RelatedPopulator.populate`` (one ``select_related`` row attached to
    ``from_obj``), its instances made by ``_made`` where ``plain`` (``_Plain``)
    says they may be; with ``plain`` None, the ORM's own."""
    if plain is None:
        populator.populate(row, from_obj)
        return
    if populator.reorder_for_init:
        values = populator.reorder_for_init(row)
    else:
        values = row[populator.cols_start : populator.cols_end]
    if values[populator.pk_idx] is None:
        obj = None
    else:
        model = populator.model_cls
        if plain[model]:
            obj = _made(model, populator.init_list, values, populator.db, populator.fetch_mode)
        else:
            obj = populator.from_db(populator.db, populator.init_list, values)
        for inner in populator.related_populators:
            _populate(inner, row, obj, plain)
    populator.local_setter(from_obj, obj)
    if obj is not None:
        populator.remote_setter(obj, from_obj)


class Compiled:
    """A queryset of model instances compiled once per process for each of its
    shapes, run again with other values in place of those it was built with.

    ``Compiled(lambda shape, board_pk: Thread.objects.filter(board_id=board_pk)
    .select_related("author").order_by(shape))``: ``instances(shape, pk, start=0,
    stop=30)`` gives what ``list(build(shape, pk)[0:30])`` gives, built as the ORM's
    ``ModelIterable`` builds them (select_related, annotations), and ``count(shape, pk)``
    what ``build(shape, pk).count()`` gives. ``shape`` (anything hashable) picks
    among the queryset's forms: an order, whether hidden rows are left out. Values
    are ints, strings or aware datetimes, each used by the queryset as it is (an
    ``exact``, ``gte`` or ``in`` lookup, not ``contains``). ``build`` must depend on
    nothing but its arguments, and may not prefetch. The statements of the last
    ``shapes`` forms are kept."""

    def __init__(self, build, *, shapes=64):
        self.build = build
        self.shapes = shapes
        self._statements = {}

    def _statement(self, shape, values, part):
        """The statement for ``part``: "count", or the slice ``(start, stop)``."""
        key = (connection.vendor, shape, tuple(type(value) for value in values), part)
        statement = self._statements.get(key)
        if statement is None:
            stand_ins = [_stand_in(index, value) for index, value in enumerate(values)]
            queryset = self.build(shape, *stand_ins)
            if queryset._prefetch_related_lookups:
                raise ValueError("prefetches are not compiled: prefetch on the instances")
            if part == "count":
                counted = queryset.order_by().values("pk")
                statement = _counting(*counted.query.sql_with_params(), stand_ins)
            else:
                *counted, start, stop = part
                if counted:
                    queryset = queryset.annotate(**{_TOTAL: Window(Count("pk"))})
                if start or stop is not None:
                    queryset = queryset[start:stop]
                statement = _Selecting(queryset, stand_ins)
            if len(self._statements) >= self.shapes:
                self._statements.pop(next(iter(self._statements)), None)
            self._statements[key] = statement
        return statement

    def instances(self, shape, *values, start=0, stop=None) -> list:
        if stop is not None and stop <= start:
            return []  # The ORM's own answer to an empty slice, which it never compiles.
        return self._statement(shape, values, (start, stop)).instances(values)

    def count(self, shape, *values) -> int:
        return self._statement(shape, values, "count").run(values)[0][0]

    def counted_slice(self, shape, *values, start, stop) -> tuple[list, int | None]:
        """``(instances(…, start=start, stop=stop), count(…))`` in one statement, the
        count a window over every row the queryset gives (``COUNT(*) OVER ()``), so
        for short lists only: each row is read to count it. The count is None when
        the slice is empty and does not start at the first row (past the end, the
        window counts nothing)."""
        if stop <= start:
            return [], None
        found = self._statement(shape, values, ("counted", start, stop)).instances(values)
        total = 0 if start == 0 else None
        for instance in found:
            total = instance.__dict__.pop(_TOTAL)
        return found, total

    def listing(self, shape, *values, then=None, first=None):
        """The queryset for ``values`` as a Paginator's object list: counted, and
        read a slice at a time (``then(instances)``, when given, on each slice).
        ``first``: the slice ``(start, stop)`` the page will most likely show (the
        page the request names, ``page_slice``), read with the count in one
        statement (``counted_slice``: short lists only)."""
        return _Listing(self, shape, values, then, first)


_TOTAL = "fansite_total"


def page_slice(number, per_page) -> tuple[int, int] | None:
    """The rows a Paginator shows for the page ``number`` (a request's ``?page=``
    value, None for none) when it names a page plainly; None when the Paginator
    would have to work it out (a word, "last", nothing a number)."""
    if number is None or number == "":
        number = "1"
    if not (isinstance(number, str) and number.isdigit() and len(number) <= 9):
        return None
    start = (int(number) - 1) * per_page
    return (start, start + per_page) if start >= 0 else None


class _Listing:
    def __init__(self, compiled, shape, values, then, first=None):
        self.compiled = compiled
        self.shape = shape
        self.values = values
        self.then = then
        self.first = first
        self._read = None  # the instances of ``first``, read with the count

    def count(self):
        if self.first is not None:
            start, stop = self.first
            found, total = self.compiled.counted_slice(
                self.shape, *self.values, start=start, stop=stop
            )
            if total is not None:
                self._read = found
                return total
        return self.compiled.count(self.shape, *self.values)

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("a compiled list is read a slice at a time")
        start, stop = index.start or 0, index.stop
        read, first = self._read, self.first
        if read is not None and stop is not None and first[0] == start <= stop <= first[1]:
            # The Paginator asks for its page's rows, cut at the last row it counted:
            # those read with the count.
            found = read[: stop - start]
        else:
            found = self.compiled.instances(self.shape, *self.values, start=start, stop=stop)
        if self.then is not None:
            self.then(found)
        return found
