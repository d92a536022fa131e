"""seed_demo's options for the benchmark's fixed shape (tests/benchmarks/run.py)."""

import statistics
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fansite.comments.models import Comment
from fansite.ops.management.commands.seed_demo import BIG_THREAD_TITLE
from fansite.threads.models import Board, Thread

pytestmark = pytest.mark.django_db


def seed(*args):
    call_command("seed_demo", *args, "--seed", "5", "--members", "4", stdout=StringIO())


def test_threads_can_go_on_episode_boards_only_with_the_same_comments_each():
    seed("--boards", "episode", "--threads", "24", "--comments-per-thread", "3")

    threads = Thread.objects.all()
    assert threads.count() == 24
    assert not threads.exclude(board__kind=Board.Kind.EPISODE).exists()
    assert set(threads.values_list("reply_count", flat=True)) == {3}
    assert Comment.objects.count() == 24 * 4  # opening posts included


def test_several_big_threads_go_on_the_general_board_and_spoil_nothing_more():
    seed("--threads", "0", "--comments", "0", "--big-thread", "30", "--big-thread", "5")

    big = Thread.objects.filter(title=BIG_THREAD_TITLE).order_by("reply_count")
    assert list(big.values_list("reply_count", flat=True)) == [5, 30]
    for thread in big:
        assert thread.board.kind == Board.Kind.GENERAL
        assert thread.spoils_episode_id == thread.board.spoiler_level


def test_a_single_big_thread_can_still_be_given_as_a_number():
    call_command("seed_demo", threads=1, comments=0, big_thread=7, seed=5, stdout=StringIO())

    assert Thread.objects.get(title=BIG_THREAD_TITLE).reply_count == 7


def test_comment_length_follows_comment_chars():
    seed("--threads", "2", "--comments-per-thread", "150", "--comment-chars", "800")

    lengths = [len(body) for body in Comment.objects.values_list("body", flat=True)]
    assert 700 < statistics.mean(lengths) < 950


def test_comments_and_comments_per_thread_cannot_be_combined():
    with pytest.raises(CommandError, match="either --comments or --comments-per-thread"):
        seed("--threads", "2", "--comments", "5", "--comments-per-thread", "2")
