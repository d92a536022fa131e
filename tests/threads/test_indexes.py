"""The lists read their threads from an index, whatever the number of threads
(docs/performance.md, "A million comments": the home page sorted every thread)."""

import pytest
from django.db import connection, transaction

from fansite.articles.views import latest_discussions
from fansite.threads.models import Thread
from fansite.threads.selectors import LATEST, listed_threads, ordered_threads

pytestmark = pytest.mark.django_db


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a test database's few rows a scan and a sort are cheaper; this asks
            # whether the index can serve the query at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_the_latest_discussions_come_from_the_thread_latest_index():
    threads = ordered_threads(listed_threads(None).select_related("board"), LATEST)[:10]

    found = plan(threads)

    assert "thread_latest" in found
    assert "TEMP B-TREE" not in found.upper()  # SQLite: no sort of its own
    assert len(latest_discussions()) == min(10, Thread.objects.filter(is_hidden=False).count())
