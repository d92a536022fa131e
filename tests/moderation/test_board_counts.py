"""Board counts (threads, posts, latest activity) leave hidden threads out, however
a thread is hidden, restored, moved or deleted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fansite.moderation import services
from fansite.threads.models import Board, Thread

from .helpers import ThreadFactory, board, make_moderator, report_by

pytestmark = pytest.mark.django_db


def counts(slug):
    theories = Board.objects.get(slug=slug)
    return theories.thread_count, theories.post_count


@pytest.fixture
def moderator():
    return make_moderator(username="counter")


@pytest.fixture
def two_threads():
    """Two threads on Theories: one with a reply (2 posts), one without (1 post)."""
    from fansite.comments.services import post_comment
    from tests.users.factories import UserFactory

    busy = ThreadFactory(board=board("theories"), title="Busy")
    post_comment(target=busy, author=UserFactory(), body="A reply")
    quiet = ThreadFactory(board=board("theories"), title="Quiet")
    return busy, quiet


def test_hiding_and_restoring_a_thread_moves_its_counts(moderator, two_threads):
    busy, _quiet = two_threads
    assert counts("theories") == (2, 3)

    services.hide_item(item=busy, moderator=moderator, reason="test")
    assert counts("theories") == (1, 1)

    services.restore_item(item=busy, moderator=moderator)
    assert counts("theories") == (2, 3)


def test_latest_activity_comes_from_visible_threads(moderator, two_threads):
    busy, quiet = two_threads
    Thread.objects.filter(pk=busy.pk).update(last_activity_at=timezone.now() + timedelta(hours=1))
    services.restore_item(item=quiet, moderator=moderator)  # no change: a recount all the same
    services.hide_item(item=busy, moderator=moderator, reason="test")

    quiet.refresh_from_db()
    assert Board.objects.get(slug="theories").last_activity_at == quiet.last_activity_at


def test_a_thread_hidden_by_reports_leaves_the_counts(settings, two_threads):
    settings.MODERATION_AUTO_HIDE_REPORTS = 2
    busy, _quiet = two_threads
    report_by(2, busy)

    assert Thread.objects.get(pk=busy.pk).is_hidden
    assert counts("theories") == (1, 1)


def test_hiding_all_of_a_members_content_recounts_their_boards(moderator, two_threads):
    busy, _quiet = two_threads
    services.hide_all_content(member=busy.author, moderator=moderator, reason="spam")

    assert counts("theories") == (1, 1)


def test_moving_a_hidden_thread_moves_no_counts(moderator, two_threads):
    busy, _quiet = two_threads
    services.hide_item(item=busy, moderator=moderator, reason="test")
    before_general = counts("general")

    services.move_thread(thread=busy, board=board("general"), moderator=moderator)

    assert counts("theories") == (1, 1)
    assert counts("general") == before_general


def test_deleting_a_thread_recounts_from_what_is_left(two_threads):
    from fansite.threads.services import delete_thread

    busy, quiet = two_threads
    # Hidden behind the services' back: the counts are stale until the next recount.
    Thread.objects.filter(pk=busy.pk).update(is_hidden=True)
    delete_thread(thread=quiet)

    assert counts("theories") == (0, 0)
    assert Board.objects.get(slug="theories").last_activity_at is None
