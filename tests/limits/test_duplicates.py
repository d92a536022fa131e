"""The same text from the same member twice within ten minutes is refused."""

import datetime
from http import HTTPStatus

import pytest
import time_machine

from fansite.comments.models import Comment
from fansite.comments.services import post_comment, remove_comment
from fansite.threads.models import Thread
from fansite.users.standing import PostingRefused
from tests.threads.factories import ThreadFactory

from .conftest import comment_url, established, noon_tomorrow, page_text, thread_create_url

pytestmark = pytest.mark.django_db

BODY = "Cheong-san deserved better.\n\nThat's all."


@pytest.fixture
def clock():
    with time_machine.travel(noon_tomorrow(), tick=False):
        yield


def test_the_same_text_again_is_refused_anywhere(client, member, thread, clock):
    other_thread = ThreadFactory(author=established())
    client.force_login(member)
    client.post(comment_url(thread), {"body": BODY})

    # Same words, different spacing and line breaks, in another thread.
    again = "Cheong-san   deserved better.\nThat's all.  "
    response = client.post(comment_url(other_thread), {"body": again})

    assert response.status_code == HTTPStatus.FORBIDDEN
    text = page_text(response)
    assert (
        "You already posted exactly this text 1 second ago. To post it again, change it "
        "or wait 10 minutes."
    ) in text
    assert "Cheong-san   deserved better.\nThat's all.  </textarea>" in text
    assert Comment.objects.filter(author=member).count() == 1


def test_the_same_text_is_allowed_after_the_window(client, member, thread):
    start = noon_tomorrow()
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(member)
        client.post(comment_url(thread), {"body": BODY})
        traveller.shift(datetime.timedelta(minutes=9, seconds=59))
        assert client.post(comment_url(thread), {"body": BODY}).status_code == 403

        traveller.shift(datetime.timedelta(seconds=1))
        response = client.post(comment_url(thread), {"body": BODY})

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(author=member, body=BODY).count() == 2


def test_different_members_may_say_the_same_thing(member, thread):
    post_comment(target=thread, author=member, body="Agreed.")

    assert post_comment(target=thread, author=established(), body="Agreed.")


def test_a_removed_comment_can_be_posted_again(member, thread):
    comment = post_comment(target=thread, author=member, body="Posted in the wrong thread.")
    remove_comment(comment=comment, user=member)

    assert post_comment(target=thread, author=member, body="Posted in the wrong thread.")


def test_a_thread_opening_with_a_text_just_posted_is_refused(client, member, thread):
    post_comment(target=thread, author=member, body=BODY)
    client.force_login(member)

    response = client.post(thread_create_url(), {"title": "Cross-post", "body": BODY})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You already posted exactly this text" in page_text(response)
    assert 'value="Cross-post"' in page_text(response)
    assert not Thread.objects.filter(title="Cross-post").exists()


def test_the_window_is_configurable(member, thread, settings):
    settings.DUPLICATE_POST_WINDOW = datetime.timedelta(0)
    post_comment(target=thread, author=member, body="Again and again.")

    assert post_comment(target=thread, author=member, body="Again and again.")


def test_the_rule_holds_outside_the_web_pages(member, thread):
    post_comment(target=thread, author=member, body="Only once.")

    with pytest.raises(PostingRefused, match="You already posted exactly this text"):
        post_comment(target=thread, author=member, body="Only once.")


def test_whitespace_does_not_make_a_text_new(member, thread):
    post_comment(target=thread, author=member, body="Same words,\n\n  same   order.")

    with pytest.raises(PostingRefused, match="You already posted exactly this text"):
        post_comment(target=thread, author=member, body="Same words, same order.  ")


def test_the_check_is_one_lookup_however_much_a_member_posted(
    member, thread, django_assert_num_queries
):
    from fansite.comments.services import ensure_not_duplicate

    for number in range(60):
        Comment.objects.create(thread=thread, author=member, body=f"Post number {number}")

    with django_assert_num_queries(1):
        ensure_not_duplicate(member, "Something new")
    with django_assert_num_queries(1), pytest.raises(PostingRefused):
        ensure_not_duplicate(member, "Post   number 59")
