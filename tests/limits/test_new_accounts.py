"""New members: a few threads a day and no links, until their first day is over."""

import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board, Thread
from fansite.users.standing import PostingRefused
from tests.users.factories import UserFactory

from .conftest import comment_url, noon_tomorrow, page_text, thread_create_url

pytestmark = pytest.mark.django_db

LINK_REFUSAL = "New members can post links once their account is 24 hours old."

LINKS = {
    "inline link": "Source: [the webtoon](https://example.com/now-at-our-school)",
    "autolink": "Source: <https://example.com/now-at-our-school>",
    "image": "Look: ![poster](https://example.com/poster.jpg)",
    "email autolink": "Write to <someone@example.org>",
    "reference link": "See [the interview][1].\n\n[1]: https://example.com/interview",
    "link in a spoiler": "Ending: >![who survives](https://example.com/ending)!<",
    "bare URL": "It is at https://example.com/ somewhere.",
}
NOT_LINKS = {
    "bare domain": "It is on example.com somewhere.",
    "URL in a code span": "The clip is at `https://example.com/clip`.",
    "code span": "Markdown links look like `[text](https://example.com)`.",
    # Typed HTML shows as text (a bare http(s) address in it would be a link).
    "raw HTML": 'Typed <a href="example.com">HTML</a> shows as text.',
}


@pytest.fixture
def signup_day():
    """The clock stands still at 09:00 on the day the newcomer signs up."""
    signed_up = noon_tomorrow().replace(hour=9)
    with time_machine.travel(signed_up, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fresh(signup_day, db):
    return UserFactory(username="fresh")


def start(client, title, body="What did everyone think?", slug="general"):
    return client.post(thread_create_url(slug), {"title": title, "body": body})


def test_a_new_member_starts_two_threads_a_day(client, fresh, signup_day):
    client.force_login(fresh)
    assert start(client, "First topic", "One.").status_code == HTTPStatus.FOUND
    signup_day.shift(datetime.timedelta(hours=2))
    assert start(client, "Second topic", "Two.").status_code == HTTPStatus.FOUND
    signup_day.shift(datetime.timedelta(hours=1))

    response = start(client, "Third topic", "Three, typed with care.")

    assert response.status_code == HTTPStatus.FORBIDDEN
    text = page_text(response)
    # The first thread turns a day old at 09:00 tomorrow, the end of the first day too.
    assert "New members can start 2 threads a day. You can start another in 21 hours." in text
    assert 'value="Third topic"' in text
    assert "Three, typed with care.</textarea>" in text
    assert not Thread.objects.filter(title="Third topic").exists()
    # The form says so before they type anything more.
    warned = client.get(thread_create_url())
    assert "New members can start 2 threads a day." in page_text(warned)


def test_the_thread_limit_ends_with_the_first_day(client, fresh, signup_day):
    client.force_login(fresh)
    start(client, "First topic", "One.")
    start(client, "Second topic", "Two.")

    signup_day.shift(datetime.timedelta(hours=24))
    responses = [start(client, f"Topic {n}", f"Body {n}.") for n in range(3)]

    assert [r.status_code for r in responses] == [HTTPStatus.FOUND] * 3


def test_the_thread_limit_is_configurable(client, fresh, settings):
    settings.NEW_ACCOUNT_MAX_THREADS_PER_DAY = 1
    client.force_login(fresh)
    start(client, "First topic", "One.")

    response = start(client, "Second topic", "Two.")

    assert "New members can start 1 thread a day." in page_text(response)


def test_the_thread_limit_holds_outside_the_web_pages(fresh):
    board = Board.objects.get(slug="general")
    start_thread(board=board, author=fresh, title="One", body="One.")
    start_thread(board=board, author=fresh, title="Two", body="Two.")

    with pytest.raises(PostingRefused, match="New members can start 2 threads a day"):
        start_thread(board=board, author=fresh, title="Three", body="Three.")


@pytest.mark.parametrize("body", LINKS.values(), ids=LINKS.keys())
def test_a_new_member_cannot_post_links(client, fresh, thread, body):
    client.force_login(fresh)

    response = client.post(comment_url(thread), {"body": body})

    assert response.status_code == HTTPStatus.FORBIDDEN
    text = page_text(response)
    assert f"{LINK_REFUSAL} Remove the link, or try again in 24 hours." in text
    assert f"{body}</textarea>" in text
    assert not Comment.objects.filter(author=fresh).exists()


@pytest.mark.parametrize("body", NOT_LINKS.values(), ids=NOT_LINKS.keys())
def test_text_that_is_not_a_link_is_fine(client, fresh, thread, body):
    client.force_login(fresh)

    response = client.post(comment_url(thread), {"body": body})

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(author=fresh, body=body).exists()


def test_a_new_member_cannot_open_a_thread_with_a_link(client, fresh):
    client.force_login(fresh)

    response = start(client, "My sources", LINKS["autolink"])

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert LINK_REFUSAL in page_text(response)
    assert not Thread.objects.exists()


def test_a_new_member_cannot_add_a_link_by_editing(client, fresh, thread):
    comment = post_comment(target=thread, author=fresh, body="Sources later.")
    client.force_login(fresh)

    response = client.post(
        reverse("comments:comment_edit", args=[comment.pk]), {"body": LINKS["inline link"]}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert LINK_REFUSAL in page_text(response)
    comment.refresh_from_db()
    assert comment.body == "Sources later."


def test_links_are_allowed_after_the_first_day(client, fresh, thread, signup_day):
    client.force_login(fresh)
    signup_day.shift(datetime.timedelta(hours=23, minutes=59))
    almost = client.post(comment_url(thread), {"body": LINKS["inline link"]})
    assert "try again in 1 minute." in page_text(almost)

    signup_day.shift(datetime.timedelta(minutes=1))
    response = client.post(comment_url(thread), {"body": LINKS["inline link"]})

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(author=fresh, body=LINKS["inline link"]).exists()


def test_links_from_new_members_can_be_allowed(client, fresh, thread, settings):
    settings.NEW_ACCOUNT_ALLOW_LINKS = True
    client.force_login(fresh)

    response = client.post(comment_url(thread), {"body": LINKS["inline link"]})

    assert response.status_code == HTTPStatus.FOUND


def test_new_staff_members_are_not_limited(client, thread, signup_day):
    moderator = UserFactory(is_staff=True)
    client.force_login(moderator)

    response = client.post(comment_url(thread), {"body": LINKS["inline link"]})
    threads = [start(client, f"Announcement {n}", f"Notice {n}.") for n in range(3)]

    assert response.status_code == HTTPStatus.FOUND
    assert [r.status_code for r in threads] == [HTTPStatus.FOUND] * 3


def test_the_link_rule_holds_outside_the_web_pages(fresh, thread):
    with pytest.raises(PostingRefused, match=LINK_REFUSAL):
        post_comment(target=thread, author=fresh, body=LINKS["image"])
