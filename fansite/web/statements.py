"""Rows read with SQL written once per process, turned into the ORM's own instances.

Building a queryset and compiling it costs a Django page far more than the
database takes to answer it (about a millisecond against a tenth, for a row by its
key). The busiest reads (a page's comments, the member behind every request)
write their statement once from the models' own table and column names and
build each row into the instance the ORM would build: the database backend's
converters applied, then ``Model.from_db``, deferring the columns not read.
"""

from __future__ import annotations

from django.db import connection


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
        self.converters = []
        for field in self.fields:
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            self.converters.append((found, col))

    def __len__(self):
        return len(self.fields)

    def instance(self, values):
        """The instance for ``values`` (this many of a row's), or None when the row
        has none (the first value, the key, is NULL: a LEFT JOIN found nothing)."""
        if values[0] is None:
            return None
        values = list(values)
        for index, (converters, col) in enumerate(self.converters):
            for convert in converters:
                values[index] = convert(values[index], col, connection)
        return self.model.from_db(connection.alias, self.names, values)


def run(sql, params):
    """Every row ``sql`` gives with ``params``."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fits_key(model, value) -> bool:
    """Whether ``value`` (an int) can be ``model``'s primary key in this database: a
    key from an address may be any number, and the ORM answers "no such row" for
    one past the column's range rather than letting the database fail on it."""
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


# A value no key takes: where it lands among a compiled query's parameters is
# where each call's own value goes.
_STAND_IN = -7_350_912_746_018


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

    def _statement(self):
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            sql, params = self.build(_STAND_IN).query.sql_with_params()
            slots = [index for index, param in enumerate(params) if param == _STAND_IN]
            if not slots:
                raise ValueError("the queryset does not use the value it is built with")
            compiled = self._compiled[connection.vendor] = (sql, tuple(params), slots)
        return compiled

    def _bound(self, value):
        sql, params, slots = self._statement()
        params = list(params)
        for index in slots:
            params[index] = value
        return sql, params

    def rows(self, value):
        """The queryset's rows for ``value``."""
        return run(*self._bound(value))

    def count(self, value):
        """How many rows the queryset gives for ``value``."""
        sql, params = self._bound(value)
        return run(f"SELECT COUNT(*) FROM ({sql}) counted", params)[0][0]
