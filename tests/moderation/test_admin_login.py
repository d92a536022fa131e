"""Staff log in through the site's login form, which limits failed attempts: the
admin's own login form had no limit (30 wrong passwords, 30 answers of 200)."""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from tests.users.factories import PASSWORD, UserFactory

from .helpers import make_moderator

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = f"/{settings.ADMIN_URL}login/"


def login_through_the_admin(client, username, password):
    """What a browser does from /admin/login/: follow it to the login form, post there."""
    response = client.get(ADMIN_LOGIN)
    assert response.status_code == HTTPStatus.FOUND
    return client.post(response["Location"], {"login": username, "password": password})


def test_the_admin_login_sends_visitors_to_the_site_login(client):
    response = client.get(ADMIN_LOGIN)

    assert response.status_code == HTTPStatus.FOUND
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query)["next"] == [ADMIN_LOGIN]


def test_posting_to_the_admin_login_form_never_checks_a_password(client):
    moderator = make_moderator()

    response = client.post(ADMIN_LOGIN, {"username": moderator.username, "password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_staff_log_in_through_the_site_login_and_reach_the_admin(client):
    moderator = make_moderator()

    response = login_through_the_admin(client, moderator.username, PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    assert client.get(f"/{settings.ADMIN_URL}").status_code == HTTPStatus.OK


def test_repeated_wrong_passwords_lock_the_staff_account_out(client):
    moderator = make_moderator()
    answers = [
        login_through_the_admin(client, moderator.username, f"wrong-{attempt}").status_code
        for attempt in range(10)
    ]
    assert set(answers) == {HTTPStatus.OK}  # the form again, with an error

    # Now even the right password is refused until the limit's window has passed.
    response = login_through_the_admin(client, moderator.username, PASSWORD)

    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session
    assert client.get(f"/{settings.ADMIN_URL}").status_code == HTTPStatus.FOUND


def test_one_address_trying_many_logins_is_answered_429(client):
    moderators = [make_moderator() for _ in range(3)]
    answers = [
        login_through_the_admin(client, moderators[attempt % 3].username, "wrong").status_code
        for attempt in range(31)
    ]

    assert answers[-1] == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session
    # The site's own page, saying what to do.
    response = login_through_the_admin(client, moderators[0].username, "wrong")
    assert "Please wait a few minutes" in response.text


def test_members_who_are_not_staff_are_refused_the_admin(client):
    client.force_login(UserFactory())

    assert client.get(ADMIN_LOGIN).status_code == HTTPStatus.FORBIDDEN
