"""fansite.web.statements.Prepared: a queryset compiled once and run again with
another value gives what the ORM gives for that value, on both databases."""

import pytest

from fansite.comments.services import start_thread
from fansite.notifications.models import Follow
from fansite.notifications.services import follow
from fansite.threads.models import Board
from fansite.web.statements import Prepared
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def follows(pk):
    return Follow.objects.filter(member_id=pk).order_by("thread_id").values_list("thread_id")


def test_each_value_gets_the_rows_the_orm_gives_it(relaxed_posting_limits):
    members = [UserFactory() for _number in range(3)]
    board = Board.objects.get(slug="general")
    for number, member in enumerate(members):
        for count in range(number + 1):
            thread = start_thread(
                board=board, author=member, title=f"T{number}-{count}", body=f"B{number}-{count}"
            )
            follow(member=members[0], target=thread)
    prepared = Prepared(follows)

    for member in members:
        assert prepared.rows(member.pk) == list(follows(member.pk))
        assert prepared.count(member.pk) == follows(member.pk).count()
    assert prepared.count(10**9) == 0


def test_a_queryset_that_ignores_its_value_is_refused():
    with pytest.raises(ValueError, match="does not use the value"):
        Prepared(lambda pk: Follow.objects.values_list("pk")).rows(1)
