"""A thread page reads its thread with its own statement (fansite/threads/rows.py):
it must be the thread the ORM gives, related rows attached, with the reader's own
read marker, on SQLite and PostgreSQL alike."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board, Thread, ThreadRead
from fansite.threads.rows import thread_for_page
from fansite.threads.services import mark_seen
from fansite.users.services import delete_account
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def fields(instance):
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def expected(thread, member):
    found = Thread.objects.select_related("board__episode", "author", "spoils_episode").get(
        pk=thread.pk
    )
    found.last_seen_comment_id = ThreadRead.objects.last_seen(member, thread.pk)
    return found


def same(found, orm):
    assert fields(found) == fields(orm)
    assert fields(found.board) == fields(orm.board)
    assert fields(found.board.episode) == fields(orm.board.episode)
    assert fields(found.author) == fields(orm.author)
    assert fields(found.spoils_episode) == fields(orm.spoils_episode)
    assert found.last_seen_comment_id == orm.last_seen_comment_id


@pytest.mark.parametrize("slug", ["episode-4", "general"])
def test_the_thread_is_the_orms_with_everything_attached(slug, django_assert_num_queries):
    author = UserFactory(display_name="Starter")
    thread = start_thread(
        board=Board.objects.get(slug=slug), author=author, title="Rows", body="Opening."
    )
    reader = UserFactory()
    comment = post_comment(target=thread, author=author, body="A comment")
    mark_seen(member=reader, thread=thread, comment_id=comment.pk)

    for member in (AnonymousUser(), reader, author):
        with django_assert_num_queries(1):
            found = thread_for_page(thread.pk, member)
            related = (found.board.episode, found.author.public_name, found.spoils_episode)
        same(found, expected(thread, member))
        assert related[1] == "Starter"
    assert thread_for_page(thread.pk, reader).last_seen_comment_id == comment.pk
    assert thread_for_page(thread.pk, author).last_seen_comment_id is None
    assert thread_for_page(thread.pk, AnonymousUser()).last_seen_comment_id is None


def test_a_thread_whose_author_left_and_one_that_spoils():
    author = UserFactory()
    thread = start_thread(
        board=Board.objects.get(slug="general"),
        author=author,
        title="Spoils",
        body="Opening.",
        spoils_episode=9,
    )
    delete_account(member=author)

    found = thread_for_page(thread.pk, AnonymousUser())

    same(found, expected(thread, AnonymousUser()))
    assert found.author is None
    assert found.spoils_episode.position == 9


def test_no_thread_for_a_key_that_is_none():
    assert thread_for_page(10**9, AnonymousUser()) is None


def test_no_thread_for_a_key_past_the_columns_range():
    assert thread_for_page(10**30, AnonymousUser()) is None
