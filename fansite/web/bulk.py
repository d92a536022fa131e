"""Rows written with PostgreSQL's COPY, the fastest way in (``seed_demo``'s million
comments, the search index rebuilt).

``Copy(model, given)`` writes the columns of the fields named ``given``, in that
order, and every other column (but the key, and those the database fills in
itself) with its field's default, as a save would.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


class Copy:
    def __init__(self, model, given):
        meta = model._meta
        named = [meta.get_field(name) for name in given]
        others = [
            field
            for field in meta.concrete_fields
            if field.attname not in given and not field.primary_key and not field.has_db_default()
        ]
        self.defaults = tuple(
            field.get_db_prep_save(field.get_default(), connection) for field in others
        )
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in [*named, *others])
        self.sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"

    @contextmanager
    def rows(self, cursor):
        """``write(values)`` for each row (the values of ``given``) on ``cursor``."""
        with cursor.cursor.copy(self.sql) as copy:
            yield lambda values: copy.write_row((*values, *self.defaults))
