"""seed_demo at a small size, written the way big sizes are (COPY on PostgreSQL,
bulk_create elsewhere): counters, rendered text and search documents as consistent
as the site's own saves would leave them."""

import re
from collections import Counter
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Sum

from fansite.comments.models import Comment, body_fingerprint
from fansite.ops.management.commands import seed_demo
from fansite.search.indexing import index_comment, index_thread
from fansite.search.models import Document
from fansite.search.selectors import search
from fansite.threads.models import Board, Thread
from fansite.web.markdown import render_markdown
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

DOCUMENT_FIELDS = (
    "key",
    "kind",
    "title",
    "text",
    "terms",
    "comment_id",
    "thread_id",
    "article_id",
    "author_id",
    "created_at",
    "level",
)


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, "--seed", "11", "--members", "6", stdout=out)
    return out.getvalue()


def documents():
    """The threads' and comments' search documents, by key."""
    rows = Document.objects.filter(kind__in=("comment", "thread")).values_list(*DOCUMENT_FIELDS)
    return {row[0]: row for row in rows}


def test_every_counter_agrees_with_the_rows_it_counts():
    seed("--threads", "12", "--comments", "300", "--big-thread", "150")

    threads = Thread.objects.annotate(
        posts=Count("comments"),
        latest=Max("comments__created_at"),
        reactions=Sum("comments__reaction_total"),
    )
    assert threads.count() == 13
    for thread in threads:
        assert thread.reply_count == thread.posts - 1, thread  # the opening post is no reply
        assert thread.last_activity_at == thread.latest, thread
        assert thread.reaction_total == thread.reactions == 0, thread
    for board in Board.objects.annotate(
        threads_n=Count("threads", distinct=True),
        posts=Count("threads__comments"),
        latest=Max("threads__last_activity_at"),
    ):
        assert (board.thread_count, board.post_count) == (board.threads_n, board.posts), board
        assert board.last_activity_at == board.latest, board
    assert Thread.objects.aggregate(n=Sum("reply_count"))["n"] == Comment.objects.count() - 13
    # Nobody has reacted yet: every comment is at the bottom of the "Top" order.
    assert set(Comment.objects.values_list("reaction_total", "top_score")) == {(0, 0)}


def test_bodies_are_rendered_and_fingerprinted_as_a_save_would():
    seed("--threads", "4", "--comments-per-thread", "60")

    texts = Comment.objects.values_list("body", "body_html", "body_fingerprint").distinct()
    assert len(texts) > 50
    for body, body_html, fingerprint in texts:
        assert body_html == render_markdown(body)
        assert fingerprint == body_fingerprint(body)


def test_replies_come_after_the_comment_they_answer_and_the_mix_is_kept():
    seed("--threads", "10", "--comments-per-thread", "200")

    comments = Comment.objects.select_related("thread", "parent")
    replies = [comment for comment in comments if comment.parent_id]
    for reply in replies:
        # Read markers count on it: a later comment has a larger id.
        assert reply.pk > reply.parent.pk
        assert reply.created_at >= reply.parent.created_at
        assert reply.thread_id == reply.parent.thread_id
        assert reply.parent.parent_id is None
    for thread in Thread.objects.all():
        opening = thread.comments.order_by("pk").first()
        assert (opening.author_id, opening.created_at) == (thread.author_id, thread.created_at)
    total = comments.count()
    # About REPLY_SHARE of the comments answer another (fewer: a thread's first
    # comment has nothing to answer); some spoil beyond their thread; all members write.
    assert 0.25 < len(replies) / total < seed_demo.REPLY_SHARE + 0.03
    later = sum(
        1 for c in comments if (c.spoils_episode_id or 0) > (c.thread.spoils_episode_id or 0)
    )
    assert 0.03 < later / total < seed_demo.LATER_SPOILER_SHARE + 0.03
    assert 0.1 < comments.filter(body__contains=">!").count() / total < 0.3
    assert len(Counter(comments.values_list("author_id", flat=True))) == 6


def test_the_search_index_holds_what_the_saves_would_write():
    seed("--threads", "5", "--comments", "80", "--big-thread", "40")
    seeded = documents()
    assert len(seeded) == Comment.objects.count()  # every thread once, its opening post in it

    for thread in Thread.objects.all():
        index_thread(thread)
    for comment in Comment.objects.select_related("thread").order_by("pk"):
        index_comment(comment)

    assert documents() == seeded


def test_search_finds_every_seeded_comment_and_thread_that_has_the_word():
    seed("--threads", "2", "--comments-per-thread", "30")
    having = {
        key
        for key, terms in Document.objects.filter(kind__in=("comment", "thread")).values_list(
            "key", "terms"
        )
        if "soundtrack" in terms.split()
    }

    result = search("soundtrack", progress=12, include_spoilers=True)

    assert 10 < len(having) < 100  # all of them counted, none cut off
    assert result.page_obj.paginator.count == len(having)
    assert {document.key for document in result.page_obj.object_list} <= having


def test_comments_posted_after_seeding_get_new_larger_ids():
    seed("--threads", "2", "--comments-per-thread", "30")
    newest = Comment.objects.aggregate(n=Max("pk"))["n"]
    thread = Thread.objects.first()

    comment = Comment.objects.create(thread=thread, author=UserFactory(), body="After the seed")

    assert comment.pk > newest


def test_progress_lines_give_the_rate_and_the_time(monkeypatch):
    monkeypatch.setattr(seed_demo, "PROGRESS_EVERY", 100)
    monkeypatch.setattr(seed_demo, "BATCH_SIZE", 10)

    output = seed("--threads", "5", "--comments-per-thread", "49")

    pattern = r"^  ([\d,]+) / 250 comments \(([\d,]+) rows/s, ([\d.]+)s\)$"
    lines = [
        (int(done), int(rate.replace(",", "")))
        for done, rate, _ in re.findall(pattern, output, re.M)
    ]
    # A line once a hundred more rows are in (batches of ten), and one at the end.
    assert [done // 10 * 10 for done, _rate in lines] == [100, 200, 250]
    assert all(rate > 0 for _done, rate in lines)
    assert re.search(r"^  [\d,]+ indexed \([\d,]+ documents/s, [\d.]+s\)$", output, re.M)


def comment_rows():
    """The comments, ids replaced by their order, times exact (time stands still)."""
    order = {
        pk: n for n, pk in enumerate(Comment.objects.order_by("pk").values_list("pk", flat=True))
    }
    threads = {
        pk: n for n, pk in enumerate(Thread.objects.order_by("pk").values_list("pk", flat=True))
    }
    return [
        (threads[thread], order.get(parent), author, body, html, fingerprint, level, created)
        for thread, parent, author, body, html, fingerprint, level, created in (
            Comment.objects.order_by("pk").values_list(
                "thread_id",
                "parent_id",
                "author__username",
                "body",
                "body_html",
                "body_fingerprint",
                "spoils_episode_id",
                "created_at",
            )
        )
    ]


@time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=False)
def test_copy_writes_the_same_comments_as_bulk_create(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    seed("--threads", "6", "--comments", "120", "--big-thread", "30")
    copied = comment_rows()

    monkeypatch.setattr(seed_demo, "copy_comments", seed_demo.create_comments)
    seed("--reset", "--threads", "6", "--comments", "120", "--big-thread", "30")

    assert comment_rows() == copied
