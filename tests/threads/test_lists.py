"""Board pages and the home page read their threads with compiled statements
(fansite/threads/lists.py): each order, for visitors and moderators, must list what
the selectors' querysets list, hidden and pinned threads included, on both databases."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.utils import timezone

from fansite.threads import lists
from fansite.threads.models import Board, Thread
from fansite.threads.selectors import THREAD_SORTS, listed_threads, ordered_threads
from tests.threads.factories import ThreadFactory
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    member = UserFactory(is_staff=True)
    member.user_permissions.add(Permission.objects.get(codename="change_thread"))
    return member


@pytest.fixture
def board(relaxed_posting_limits):
    general = Board.objects.with_episode().get(slug="general")
    made = [ThreadFactory(board=general, title=f"T{number}") for number in range(7)]
    ThreadFactory(board=Board.objects.get(slug="theories"))
    Thread.objects.filter(pk=made[1].pk).update(is_pinned=True)
    Thread.objects.filter(pk=made[2].pk).update(is_hidden=True)
    Thread.objects.filter(pk=made[3].pk).update(created_at=timezone.now() - timedelta(days=9))
    for number, thread in enumerate(made):
        Thread.objects.filter(pk=thread.pk).update(reaction_total=number % 3)
    return general


def pks(threads):
    return [thread.pk for thread in threads]


@pytest.mark.parametrize("sort", list(THREAD_SORTS))
@pytest.mark.parametrize("who", ["visitor", "moderator"])
def test_a_boards_pages_list_what_the_selectors_list(board, moderator, sort, who):
    user = moderator if who == "moderator" else AnonymousUser()
    orm = listed_threads(
        user, ordered_threads(Thread.objects.for_board(board), sort, pinned_first=True)
    )
    found = lists.board_threads(board, sort, user)
    assert found.count() == orm.count()
    for start, stop in ((0, 3), (3, 6), (6, 9), (0, 30)):
        assert pks(found[start:stop]) == pks(orm[start:stop])
    assert (board.threads.get(is_hidden=True).pk in pks(found[0:30])) == (who == "moderator")


@pytest.mark.parametrize("sort", list(THREAD_SORTS))
@pytest.mark.parametrize("who", ["visitor", "moderator"])
def test_the_home_pages_latest_threads_are_what_the_selectors_list(board, moderator, sort, who):
    user = moderator if who == "moderator" else AnonymousUser()
    orm = ordered_threads(listed_threads(user).select_related("board"), sort)
    assert pks(lists.latest_threads(user, sort, 5)) == pks(orm[:5])


def test_a_board_by_its_slug(django_assert_num_queries):
    with django_assert_num_queries(1):
        board = lists.board_for_page("episode-4")
        assert board.episode.season.series.title
    assert board == Board.objects.get(slug="episode-4")
    assert lists.board_for_page("no-such-board") is None
