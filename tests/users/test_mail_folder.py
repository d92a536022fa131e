"""The development set-up: verification mail lands as a file a new member can open."""

import email
import email.policy
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from fansite.users.models import User

from .factories import PASSWORD
from .test_accounts import CONFIRM_LINK, is_logged_in, log_in, sign_up

pytestmark = pytest.mark.django_db


def test_verification_mail_is_written_to_the_mail_folder_and_its_link_works(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    mail_folder = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": mail_folder},
        }
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, username="soohyuk", email="soohyuk@example.com")
    assert response.status_code == HTTPStatus.FOUND

    [message_file] = mail_folder.iterdir()
    message = email.message_from_bytes(message_file.read_bytes(), policy=email.policy.default)
    assert message["To"] == "soohyuk@example.com"
    body = message.get_body(preferencelist=("plain",)).get_content()
    confirm_path = CONFIRM_LINK.search(body).group(1)

    client.logout()
    assert client.post(confirm_path).status_code == HTTPStatus.FOUND
    member = User.objects.get(username="soohyuk")
    assert EmailAddress.objects.get(user=member).verified

    client.logout()
    assert log_in(client, "soohyuk", PASSWORD).status_code == HTTPStatus.FOUND
    assert is_logged_in(client)
    assert client.get(reverse("users:profile_edit")).status_code == HTTPStatus.OK
