"""python manage.py seed_demo: demo members, threads and comments with consistent counters."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max
from django.test import Client

from fansite.comments.models import Comment
from fansite.ops.management.commands.seed_demo import DEMO_PASSWORD
from fansite.threads.models import Board, Thread
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, "--seed", "3", stdout=out)
    return out.getvalue()


def demo_members():
    return get_user_model().objects.filter(username__startswith="demo_")


def assert_counters_match_the_rows():
    for thread in Thread.objects.annotate(
        posts=Count("comments"), latest=Max("comments__created_at")
    ):
        assert thread.reply_count == thread.posts - 1, thread  # the opening post is no reply
        assert thread.last_activity_at == thread.latest, thread
    for board in Board.objects.annotate(
        threads_n=Count("threads", distinct=True),
        posts=Count("threads__comments"),
        latest=Max("threads__last_activity_at"),
    ):
        assert board.thread_count == board.threads_n, board
        assert board.post_count == board.posts, board
        assert board.last_activity_at == board.latest, board


def test_it_creates_members_threads_and_comments():
    output = seed("--threads", "30", "--comments", "600", "--members", "5")

    assert demo_members().count() == 5
    assert Thread.objects.count() == 30
    # Every thread has its opening post, plus the 600 comments.
    assert Comment.objects.count() == 630
    assert "630 / 630 comments" in output
    assert_counters_match_the_rows()


def test_threads_cover_every_board_and_posts_vary():
    seed("--threads", str(Board.objects.count()), "--comments", "400")

    assert not Board.objects.filter(thread_count=0).exists()
    comments = Comment.objects.all()
    assert comments.filter(parent__isnull=False).exists()  # some replies
    assert comments.filter(body__contains=">!").exists()  # some inline spoilers
    # Some comments spoil a later episode than their thread.
    assert comments.filter(thread__spoils_episode__lt=F("spoils_episode")).exists()
    # Replies come after the comment they answer and stay in its thread.
    for reply in comments.filter(parent__isnull=False).select_related("parent"):
        assert reply.thread_id == reply.parent.thread_id
        assert reply.parent.parent_id is None
        assert reply.created_at >= reply.parent.created_at
    # The HTML was rendered from the Markdown.
    sample = comments.filter(body__contains=">!").first()
    assert 'class="spoiler__content"' in sample.body_html


def test_the_opening_post_is_each_threads_first_comment():
    seed("--threads", "10", "--comments", "200")

    for thread in Thread.objects.all():
        first = thread.comments.order_by("pk").first()
        assert first.created_at == thread.created_at
        assert first.parent_id is None
        assert first.spoils_episode_id == thread.spoils_episode_id


def test_big_thread_holds_the_requested_comments():
    seed("--threads", "3", "--comments", "10", "--big-thread", "250")

    big = Thread.objects.get(title="Big demo thread")
    assert big.comments.count() == 251
    assert big.board.kind == Board.Kind.GENERAL
    assert_counters_match_the_rows()


def test_running_again_adds_content_for_the_same_members():
    seed("--threads", "5", "--comments", "20", "--members", "3")
    seed("--threads", "5", "--comments", "20", "--members", "3")

    assert demo_members().count() == 3
    assert Thread.objects.count() == 10
    assert_counters_match_the_rows()


def test_reset_removes_demo_content_but_nothing_else():
    real = UserFactory(username="real_member")
    seed("--threads", "8", "--comments", "50", "--members", "4")
    demo_thread = Thread.objects.first()
    Comment.objects.create(thread=demo_thread, author=real, body="A real reply")
    from fansite.comments.services import start_thread

    real_thread = start_thread(
        board=Board.objects.get(slug="general"), author=real, title="Real", body="Real post"
    )
    demo = demo_members().first()
    Comment.objects.create(thread=real_thread, author=demo, body="Demo reply in a real thread")

    seed("--reset", "--threads", "2", "--comments", "5", "--members", "2")

    assert demo_members().count() == 2
    assert get_user_model().objects.filter(username="real_member").exists()
    assert Thread.objects.filter(pk=real_thread.pk).exists()
    assert list(real_thread.comments.values_list("body", flat=True)) == ["Real post"]
    assert Thread.objects.count() == 3
    assert_counters_match_the_rows()


def test_demo_members_can_log_in_with_the_documented_password():
    seed("--threads", "1", "--comments", "0", "--members", "1")

    client = Client()
    response = client.post("/accounts/login/", {"login": "demo_01", "password": DEMO_PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" in client.session


def test_comments_without_threads_are_refused():
    with pytest.raises(CommandError, match="needs at least one thread"):
        call_command("seed_demo", "--threads", "0", "--comments", "5", stdout=StringIO())


def test_every_opening_post_is_written_by_the_thread_author():
    call_command("seed_demo", threads=6, comments=30, members=4, seed=3, stdout=StringIO())

    for thread in Thread.objects.all():
        opening = Comment.objects.filter(thread=thread).order_by("created_at", "pk").first()
        assert opening.author_id == thread.author_id


def test_on_postgresql_the_planner_gets_statistics_for_what_was_seeded():
    """Autovacuum may be off, or not have come round: the bulk-written tables are
    analysed at the end (reltuples is -1 for a table never analysed)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    seed("--members", "3", "--threads", "2", "--comments-per-thread", "4")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [Comment._meta.db_table]
        )
        assert cursor.fetchone()[0] >= 10
