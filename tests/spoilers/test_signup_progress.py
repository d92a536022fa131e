"""The last step of signing up: "How far have you watched?", then the welcome; and a
visitor's answer going with them onto their account."""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from fansite.users.models import User
from tests.threads.factories import ThreadFactory, board
from tests.users.factories import UserFactory
from tests.users.test_accounts import log_in, sign_up

pytestmark = pytest.mark.django_db

STEP_URL = reverse("spoilers:progress_signup")


@pytest.fixture(autouse=True)
def _as_in_development(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"  # sign-up logs the member in


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def signing_up(client, next_url=None):
    """Sign up (from ``next_url``'s sign-up link, if given); the redirect."""
    if next_url:
        return client.post(
            f"{reverse('account_signup')}?next={next_url}",
            {
                "username": "jiwoo",
                "email": "jiwoo@example.com",
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
                "next": next_url,
            },
        )
    return sign_up(client, username="jiwoo", email="jiwoo@example.com")


def test_sign_up_ends_by_asking_how_far_the_member_has_watched(client):
    response = signing_up(client, next_url="/boards/")

    assert response.status_code == HTTPStatus.FOUND
    step = urlsplit(response.url)
    assert step.path == STEP_URL
    assert parse_qs(step.query) == {"next": ["/boards/"]}
    page = client.get(response.url)
    assert page.status_code == HTTPStatus.OK
    assert "One last step: how far have you watched?" in page.text
    assert '<input type="hidden" name="next" value="/boards/">' in page.text
    assert 'name="watched_up_to" value="7"' in page.text
    assert 'name="skip"' in page.text
    # Not asked twice on one page, and not welcomed yet.
    assert '<section class="first-visit"' not in page.text
    assert not any("Welcome" in message for message in messages_of(page))


def test_answering_saves_welcomes_and_goes_on(client):
    response = signing_up(client, next_url="/boards/")
    client.get(response.url)  # says "Confirmation email sent to …"

    response = client.post(response.url, {"watched_up_to": "7", "next": "/boards/"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/boards/"
    assert messages_of(response) == [
        "Welcome, jiwoo.",
        "Spoilers are now hidden beyond episode 7.",
    ]
    member = User.objects.get(username="jiwoo")
    assert member.watched_up_to == 7
    assert member.progress_chosen_at is not None
    assert '<section class="first-visit"' not in client.get("/boards/").text


def test_the_step_once_answered_goes_straight_on(client):
    response = signing_up(client, next_url="/boards/")
    step = response.url
    client.post(step, {"skip": "1", "next": "/boards/"})

    again = client.get(step)

    assert again.status_code == HTTPStatus.FOUND
    assert again["Location"] == "/boards/"


def test_skipping_welcomes_and_stops_asking(client):
    response = signing_up(client)
    client.get(response.url)

    response = client.post(response.url, {"skip": "1"})

    assert response["Location"] == "/"
    assert messages_of(response) == ["Welcome, jiwoo."]
    member = User.objects.get(username="jiwoo")
    assert member.watched_up_to == 0
    assert member.progress_chosen_at is not None


def test_a_bad_answer_says_so_and_keeps_the_step(client):
    signing_up(client)

    response = client.post(STEP_URL, {"watched_up_to": "13", "next": "/"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'role="alert"' in response.text
    assert User.objects.get(username="jiwoo").progress_chosen_at is None


def test_a_visitor_who_answered_is_not_asked_again(client, relaxed_posting_limits):
    ThreadFactory(board=board("episode-5"), title="Class president theory")
    ThreadFactory(board=board("episode-8"), title="SECRET: the archery hall")
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": "5", "next": "/"})

    response = signing_up(client, next_url="/boards/")

    assert response["Location"] == "/boards/"
    member = User.objects.get(username="jiwoo")
    assert member.watched_up_to == 5
    assert member.progress_chosen_at is not None
    page = client.get("/")
    assert "Welcome, jiwoo." in [str(message) for message in page.context["messages"]]
    assert "Class president theory" in page.text
    assert "SECRET" not in page.text


def test_the_step_is_for_members(client):
    response = client.get(STEP_URL)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


def test_logging_in_carries_a_visitors_answer_to_an_account_never_told(client):
    member = UserFactory(username="cheongsan")
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": "4", "next": "/"})

    response = log_in(client, "cheongsan")

    assert response["Location"] == "/"  # no step: only sign-up asks
    member.refresh_from_db()
    assert member.watched_up_to == 4
    assert member.progress_chosen_at is not None


def test_logging_in_keeps_the_accounts_own_answer(client):
    member = UserFactory(username="cheongsan", watched_up_to=9)
    client.force_login(member)
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": "9", "next": "/"})
    client.logout()
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": "2", "next": "/"})

    log_in(client, "cheongsan")

    member.refresh_from_db()
    assert member.watched_up_to == 9


def test_logging_in_never_lowers_a_progress_saved_before_the_question(client):
    member = UserFactory(username="cheongsan", watched_up_to=6)
    assert member.progress_chosen_at is None
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": "1", "next": "/"})

    log_in(client, "cheongsan")

    member.refresh_from_db()
    assert member.watched_up_to == 6
