"""A new member is welcomed (after the last step of sign-up, "How far have you
watched?"), a returning one welcomed back (allauth's log-in message)."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from .factories import UserFactory
from .test_accounts import CONFIRM_LINK, is_logged_in, log_in, sign_up

pytestmark = pytest.mark.django_db


def messages_on(response):
    return [str(message) for message in response.context["messages"]]


def test_sign_up_logs_the_member_in_and_says_welcome(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"  # as `make run` has it

    response = sign_up(client, username="cheongsan")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("spoilers:progress_signup"))
    step = client.get(response.url)
    assert "Welcome" not in step.text
    # The verification mail is on its way; the member may carry on meanwhile.
    assert "Confirmation email sent to alice@example.com." in messages_on(step)
    response = client.post(response.url, {"watched_up_to": 3})
    page = client.get(response.url)

    assert is_logged_in(client)
    assert "Welcome, cheongsan." in messages_on(page)
    assert "Welcome back" not in page.text


def test_confirming_the_address_after_sign_up_says_welcome(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # as in production

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, username="cheongsan")
    assert not is_logged_in(client)
    confirm_path = CONFIRM_LINK.search(mail.outbox[-1].body).group(1)
    response = client.post(confirm_path, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert response.request["PATH_INFO"] == reverse("spoilers:progress_signup")
    response = client.post(response.request["PATH_INFO"], {"skip": "1"}, follow=True)

    assert response.status_code == HTTPStatus.OK
    assert is_logged_in(client)
    assert "Welcome, cheongsan." in messages_on(response)
    assert "Welcome back" not in response.text


def test_logging_in_again_says_welcome_back(client):
    UserFactory(username="cheongsan")

    response = log_in(client, "cheongsan")
    page = client.get(response.url)

    assert "Welcome back, cheongsan." in messages_on(page)
