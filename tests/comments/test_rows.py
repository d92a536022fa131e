"""fansite.comments.rows reads a page's comments with its own statements: the
objects must be the ones the ORM builds, related rows attached, on SQLite and
PostgreSQL alike."""

import pytest
from django.db.models import Count, Q

from fansite.comments import rows
from fansite.comments.models import Comment
from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board
from fansite.users.services import delete_account
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    author = UserFactory(display_name="Row Writer")
    thread = start_thread(
        board=Board.objects.get(slug="general"), author=author, title="Rows", body="Opening."
    )
    first = post_comment(target=thread, author=UserFactory(), body="First *top*")
    answer = post_comment(target=thread, author=author, body="An answer", parent=first)
    post_comment(target=thread, author=UserFactory(), body="To the answer", parent=answer)
    post_comment(target=thread, author=author, body="Spoils 9", spoils_episode=9)
    gone = UserFactory()
    post_comment(target=thread, author=gone, body="By someone who left")
    delete_account(member=gone)
    return thread


def orm_fields(comment):
    return {field.attname: getattr(comment, field.attname) for field in Comment._meta.fields}


def test_top_level_comments_are_the_orms_with_authors_attached(thread, django_assert_num_queries):
    expected = list(
        Comment.objects.filter(thread=thread, parent__isnull=True)
        .select_related("author", "reply_to__author")
        .order_by("pk")
    )

    with django_assert_num_queries(1):
        found = rows.top_level(thread, newest_first=False, offset=0, limit=30)
        # Related rows are attached: reading them runs no query.
        names = [c.author.public_name if c.author else None for c in found]

    assert [orm_fields(c) for c in found] == [orm_fields(c) for c in expected]
    assert names == [c.author.public_name if c.author else None for c in expected]
    assert names[-1] is None  # the member who left
    assert all(isinstance(c.is_removed, bool) for c in found)
    assert found[0].created_at.tzinfo is not None
    newest = rows.top_level(thread, newest_first=True, offset=1, limit=2)
    assert [c.pk for c in newest] == [c.pk for c in reversed(expected)][1:3]


def test_replies_carry_the_comment_they_answer_and_their_parents_total(
    thread, django_assert_num_queries
):
    first = Comment.objects.get(body="First *top*")

    with django_assert_num_queries(1):
        found = rows.first_replies([first.pk], shown=1)
        answered = [reply.reply_to for reply, _total in found]

    assert [(reply.body, total) for reply, total in found] == [("An answer", 2)]
    assert answered == [None]
    both = rows.first_replies([first.pk], shown=3)
    answer, to_answer = (reply for reply, _total in both)
    with django_assert_num_queries(0):
        assert to_answer.reply_to.pk == answer.pk
        assert to_answer.reply_to.author.public_name == "Row Writer"


def test_a_member_is_one_instance_for_the_rows_they_wrote_or_are_answered_in(
    thread, django_assert_num_queries
):
    writer = Comment.objects.get(body="Opening.").author
    top = rows.top_level(thread, newest_first=False, offset=0, limit=30)
    by_writer = [comment for comment in top if comment.author_id == writer.pk]
    assert len(by_writer) == 2  # the opening post and "Spoils 9"
    assert by_writer[0].author is by_writer[1].author

    first = Comment.objects.get(body="First *top*")
    replies = [reply for reply, _total in rows.first_replies([first.pk], shown=3)]
    answer, to_answer = replies
    with django_assert_num_queries(0):
        # The writer of the answer, and the member the next reply answers: one
        # instance, with what cards show of them.
        assert to_answer.reply_to.author is answer.author
        assert answer.author.public_name == "Row Writer"
        assert answer.author.pk == writer.pk
    # Other members stay apart.
    assert len({id(comment.author) for comment in top if comment.author}) == len(
        {comment.author_id for comment in top if comment.author_id}
    )


def test_counts_and_ids_match_the_database(thread):
    expected = Comment.objects.filter(thread=thread).aggregate(
        total=Count("pk"), top=Count("pk", filter=Q(parent__isnull=True))
    )
    assert rows.counts(thread) == (expected["total"], expected["top"])
    pks = list(Comment.objects.filter(thread=thread).values_list("pk", flat=True))
    found = rows.by_ids([*pks, 10**9])
    assert sorted(found) == sorted(pks)
    assert rows.by_ids([]) == {}
    assert rows.first_replies([], shown=3) == []


def test_best_comments_are_the_visible_ones_with_reactions_by_score(thread):
    scored = {"First *top*": 5.0, "An answer": 7.0, "Spoils 9": 6.0}
    for body, score in scored.items():
        Comment.objects.filter(body=body).update(reaction_total=1, top_score=score)
    Comment.objects.filter(body="Spoils 9").update(is_hidden=True)

    found = rows.best(thread, 3)

    assert [c.body for c in found] == ["An answer", "First *top*"]
    assert found[0].author.public_name == "Row Writer"
    assert [c.body for c in rows.best(thread, 1)] == ["An answer"]


@pytest.mark.parametrize("sort", ["oldest", "newest"])
def test_every_page_holds_the_comments_the_orm_would_slice(sort):
    """Pages past the middle are read from the thread's other end (selectors
    ``_TopLevel``): each must still be exactly the ORM's slice, the last one short."""
    from fansite.comments.selectors import NEWEST, OLDEST, comment_page

    author = UserFactory()
    thread = start_thread(
        board=Board.objects.get(slug="general"), author=author, title="Long", body="Opener."
    )
    for number in range(7):
        post_comment(target=thread, author=author, body=f"Comment {number}")
    order = "-pk" if sort == "newest" else "pk"
    expected = [
        c.pk for c in Comment.objects.filter(thread=thread, parent__isnull=True).order_by(order)
    ]

    pages = [
        [
            c.pk
            for c in comment_page(
                target=thread, page=number, per_page=3, sort=NEWEST if sort == "newest" else OLDEST
            ).page_obj.object_list
        ]
        for number in (1, 2, 3)
    ]

    assert pages == [expected[0:3], expected[3:6], expected[6:8]]
