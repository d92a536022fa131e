"""AnyOf: a list of values as one array on PostgreSQL, IN elsewhere."""

import pytest
from django.db import connection
from django.db.models import F

from fansite.threads.models import Board
from fansite.web.lookups import AnyOf

pytestmark = pytest.mark.django_db


def test_it_finds_the_rows_with_any_of_the_values():
    boards = list(Board.objects.order_by("pk")[:3])
    wanted = [boards[0].pk, boards[2].pk, 999_999]
    found = Board.objects.filter(AnyOf(F("pk"), wanted))
    assert sorted(board.pk for board in found) == [boards[0].pk, boards[2].pk]
    assert not Board.objects.filter(AnyOf(F("pk"), []))
    assert Board.objects.exclude(AnyOf(F("pk"), wanted)).count() == Board.objects.count() - 2


def test_on_postgresql_the_values_are_one_parameter():
    sql, params = Board.objects.filter(AnyOf(F("pk"), [1, 2, 3])).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s)" in sql
        assert params == ([1, 2, 3],)
    else:
        assert "IN (%s, %s, %s)" in sql
        assert params == (1, 2, 3)
