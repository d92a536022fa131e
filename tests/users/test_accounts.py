"""Sign-up, email verification, logging in and out, password reset (allauth)."""

import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from fansite.users.models import User

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"http://testserver(/accounts/confirm-email/[^\s]+/)")
RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/[^\s]+/)")


def sign_up(client, username="alice", email="alice@example.com"):
    return client.post(
        reverse("account_signup"),
        {
            "username": username,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def log_in(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_sign_up_verify_log_in_and_log_out(client, django_capture_on_commit_callbacks):
    # Emails are queued with the sign-up and sent once it has committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == HTTPStatus.FOUND
    member = User.objects.get(username="alice")
    assert not EmailAddress.objects.get(user=member).verified

    # The verification email, written for people.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "[Hyosan Survivors] Confirm your email address"
    assert 'signed up to Hyosan Survivors as "alice"' in message.body
    assert "example.com/" not in message.body  # no "sites" placeholder domain
    confirm_path = CONFIRM_LINK.search(message.body).group(1)

    # Opening the link only asks; nothing is confirmed by a GET.
    client.logout()
    response = client.get(confirm_path)
    assert response.status_code == HTTPStatus.OK
    assert "Confirm" in response.text
    assert not EmailAddress.objects.get(user=member).verified

    response = client.post(confirm_path)
    assert response.status_code == HTTPStatus.FOUND
    assert EmailAddress.objects.get(user=member).verified

    client.logout()
    response = log_in(client, "alice")
    assert response.status_code == HTTPStatus.FOUND
    assert is_logged_in(client)

    response = client.post(reverse("account_logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert not is_logged_in(client)

    response = log_in(client, "alice@example.com")
    assert response.status_code == HTTPStatus.FOUND
    assert is_logged_in(client)


def test_log_in_by_username_ignores_case(client):
    UserFactory(username="Alice")

    log_in(client, "ALICE")

    assert is_logged_in(client)


def test_wrong_password_shows_an_error_and_keeps_the_login(client):
    UserFactory(username="alice")

    response = log_in(client, "alice", password="not it")

    assert response.status_code == HTTPStatus.OK
    assert not is_logged_in(client)
    assert 'class="errorlist' in response.text
    assert 'value="alice"' in response.text


def test_unverified_member_cannot_log_in_when_verification_is_mandatory(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    UserFactory(username="alice", verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = log_in(client, "alice")

    assert not is_logged_in(client)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("account_email_verification_sent")
    # A fresh verification email is sent instead.
    assert mail.outbox[-1].subject == "[Hyosan Survivors] Confirm your email address"


def test_verified_member_can_log_in_when_verification_is_mandatory(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    UserFactory(username="alice")

    log_in(client, "alice")

    assert is_logged_in(client)


def test_password_reset_by_email(client, django_capture_on_commit_callbacks):
    UserFactory(username="alice", email="alice@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "alice@example.com"})
    assert response.status_code == HTTPStatus.FOUND

    message = mail.outbox[-1]
    assert message.subject == "[Hyosan Survivors] Reset your password"
    assert "Your username is alice." in message.body
    reset_path = RESET_LINK.search(message.body).group(1)

    # allauth moves the key into the session and redirects to a key-less URL.
    response = client.get(reset_path, follow=True)
    assert response.status_code == HTTPStatus.OK
    form_url = response.redirect_chain[-1][0]
    new_password = "a brand new passphrase 2022"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == HTTPStatus.FOUND

    client.logout()
    log_in(client, "alice", password=PASSWORD)
    assert not is_logged_in(client)
    log_in(client, "alice", password=new_password)
    assert is_logged_in(client)


def test_password_change_page_uses_the_site_layout(client):
    client.force_login(UserFactory())

    response = client.get(reverse("account_change_password"))

    assert response.status_code == HTTPStatus.OK
    assert '<main id="main"' in response.text
    assert 'class="form' in response.text
    assert 'aria-current="page"' in response.text  # the settings navigation


def test_email_management_page_lists_the_address(client):
    member = UserFactory(email="alice@example.com")
    client.force_login(member)

    response = client.get(reverse("account_email"))

    assert response.status_code == HTTPStatus.OK
    assert "alice@example.com" in response.text
    assert "Verified" in response.text
    assert "<style" not in response.text
    assert "style=" not in response.text


class TestUsernameRules:
    def test_a_name_taken_in_another_case_is_refused_politely(self, client):
        UserFactory(username="alice")

        response = sign_up(client, username="Alice", email="other@example.com")

        assert response.status_code == HTTPStatus.OK
        assert "That username is taken." in response.text
        assert User.objects.filter(username__iexact="alice").count() == 1

    @pytest.mark.parametrize(
        ("existing", "username"),
        [
            ("alice", "AL\u0130CE"),  # Turkish capital of "i"
            ("strasse", "Stra\u00dfe"),  # "ß" folds to "ss"
            ("\u00e9lise", "\u00c9LISE"),  # accented capitals (SQLite's LIKE is ASCII only)
            ("namon", "\uff2e\uff21\uff2d\uff2f\uff2e"),  # full-width capitals
        ],
    )
    def test_a_name_that_differs_only_in_case_or_form_is_taken(self, client, existing, username):
        UserFactory(username=existing)

        response = sign_up(client, username=username, email="other@example.com")

        assert response.status_code == HTTPStatus.OK
        assert "That username is taken." in response.text
        assert User.objects.count() == 1

    @pytest.mark.parametrize(
        ("username", "message"),
        [
            ("bell\x07ringer", "invisible characters"),
            ("\x1b[31mred", "invisible characters"),
            ("del\x7fete", "invisible characters"),
            ("next\x85line", "invisible characters"),
            ("ali\u200bce", "invisible characters"),
            ("\u0430dmin", "look-alike letters from different alphabets"),
            ("admin", "That username is reserved."),
            ("Moderator", "That username is reserved."),
            ("support", "That username is reserved."),
            ("root", "That username is reserved."),
            ("ADM\u0130N", "That username is reserved."),  # Turkish dotted capital I
            ("a b", "invisible characters"),
            ("al", "at least 3 characters"),
            ("alice+1", "Use only letters, digits"),
        ],
    )
    def test_bad_usernames_are_refused_with_a_message(self, client, username, message):
        response = sign_up(client, username=username)

        assert response.status_code == HTTPStatus.OK
        assert message in response.text
        assert not User.objects.exists()
        # What was typed stays in the form, and the field is marked invalid.
        assert 'value="alice@example.com"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert 'aria-describedby="id_username_helptext id_username_error"' in response.text or (
            'aria-describedby="id_username_error"' in response.text
        )

    def test_long_usernames_are_refused(self, client):
        response = sign_up(client, username="a" * 31)

        assert response.status_code == HTTPStatus.OK
        assert not User.objects.exists()

    @pytest.mark.parametrize("username", ["남온조", "Nam_On-jo", "jisoo지수"])
    def test_unicode_letters_are_welcome(self, client, username):
        sign_up(client, username=username)

        assert User.objects.get().username == username

    def test_usernames_are_nfkc_normalised(self, client):
        sign_up(client, username="\uff4e\uff41\uff4d\uff4f\uff4e")  # full-width "namon"

        assert User.objects.get().username == "namon"


def test_repeated_failed_logins_are_rate_limited(client):
    UserFactory(username="guesswho")

    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": "guesswho", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "guesswho", "password": PASSWORD})

    assert "Too many failed login attempts" in response.text
    assert not is_logged_in(client)


def test_login_field_says_it_takes_a_username_or_an_email(client):
    response = client.get(reverse("account_login"))

    assert "Username or email" in response.text


def test_login_works_behind_a_proxy_on_a_unix_socket(client, settings):
    """nginx talking to gunicorn over a unix socket leaves REMOTE_ADDR empty: with one
    trusted proxy, the visitor's address comes from X-Forwarded-For, and allauth's
    login limits count per visitor instead of refusing everyone."""
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="socketfan")

    response = client.post(
        reverse("account_login"),
        {"login": "socketfan", "password": PASSWORD},
        REMOTE_ADDR="",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    assert response.status_code == HTTPStatus.FOUND
    assert is_logged_in(client)
