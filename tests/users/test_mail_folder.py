"""The development set-up: mail lands as a file a new member can read and copy from,
and its links show on the console."""

import logging
import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from fansite.users.models import User

from .factories import PASSWORD, UserFactory
from .test_accounts import is_logged_in, log_in, sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_folder(settings, tmp_path):
    """Mail as `make run` writes it: the development backend, into a folder."""
    folder = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "fansite.emails.backends.ReadableFileBackend",
            "OPTIONS": {"file_path": folder},
        }
    }
    return folder


def line_with(pattern, text):
    """The one whole line of ``text`` that matches ``pattern``."""
    [line] = [line for line in text.splitlines() if re.fullmatch(pattern, line)]
    return line


def test_verification_link_is_on_one_line_of_the_mail_file_and_verifies_the_address(
    client, mail_folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, username="soohyuk", email="soohyuk@example.com")
    assert response.status_code == HTTPStatus.FOUND

    [message_file] = mail_folder.iterdir()
    text = message_file.read_text(encoding="utf-8")
    assert "To: soohyuk@example.com" in text.splitlines()
    assert "Subject: [Hyosan Survivors] Confirm your email address" in text.splitlines()
    assert 'signed up to Hyosan Survivors as "soohyuk"' in text
    # Copied as written: the whole link on one line, longer than a quoted-printable
    # line may be, and no encoding left in it.
    link = line_with(r"http://testserver/accounts/confirm-email/\S+/", text)
    assert len(link) > 76
    assert "=\n" not in text
    assert "=3D" not in text

    client.logout()
    page = client.get(link)
    assert page.status_code == HTTPStatus.OK
    assert "Confirm" in page.text
    response = client.post(link)
    assert response.status_code == HTTPStatus.FOUND
    member = User.objects.get(username="soohyuk")
    assert EmailAddress.objects.get(user=member).verified

    client.logout()
    assert log_in(client, "soohyuk", PASSWORD).status_code == HTTPStatus.FOUND
    assert is_logged_in(client)
    assert client.get(reverse("users:profile_edit")).status_code == HTTPStatus.OK


def test_password_reset_link_from_the_mail_file_sets_a_new_password(
    client, mail_folder, django_capture_on_commit_callbacks
):
    UserFactory(username="namra", email="namra@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "namra@example.com"})

    [message_file] = mail_folder.iterdir()
    text = message_file.read_text(encoding="utf-8")
    link = line_with(r"http://testserver/accounts/password/reset/key/\S+/", text)
    form = client.get(link, follow=True)
    assert form.status_code == HTTPStatus.OK
    new_password = "a-brand-new-passphrase-42"
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == HTTPStatus.FOUND
    client.logout()
    log_in(client, "namra", new_password)
    assert is_logged_in(client)


def test_each_mail_is_logged_with_its_links_and_file(
    client, mail_folder, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="fansite.emails")

    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, username="onjo", email="onjo@example.com")

    [message_file] = mail_folder.iterdir()
    link = line_with(r"http://\S+/confirm-email/\S+/", message_file.read_text(encoding="utf-8"))
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Mail to")]
    assert line.startswith(
        "Mail to onjo@example.com: [Hyosan Survivors] Confirm your email address — "
    )
    # The signature's bare site address is not worth printing.
    assert line.endswith(f"— links: {link} ({message_file})")


def test_newest_mail_sorts_last(client, mail_folder, django_capture_on_commit_callbacks):
    UserFactory(username="cheongsan", email="cheongsan@example.com")

    for address in ["first@example.com", "second@example.com"]:
        with django_capture_on_commit_callbacks(execute=True):
            sign_up(client, username=address.partition("@")[0], email=address)
        client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "cheongsan@example.com"})

    files = sorted(mail_folder.iterdir())
    assert len(files) == 3
    assert "To: cheongsan@example.com" in files[-1].read_text(encoding="utf-8")
