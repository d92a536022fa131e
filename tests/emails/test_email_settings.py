"""Settings → Email: a member chooses, per kind, off, at once or the daily digest."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from fansite.emails.models import EmailMode, NotificationKind
from fansite.emails.preferences import all_email_modes, email_mode
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("users:email_settings")


def every_kind(mode):
    return {kind.value: mode for kind in NotificationKind}


def test_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("account_login"))
    assert client.post(URL, every_kind("off")).status_code == HTTPStatus.FOUND


def test_the_page_shows_one_choice_per_kind_with_the_defaults_checked(
    client, django_assert_max_num_queries
):
    member = UserFactory(email="jiwoo@example.com")
    client.force_login(member)

    with django_assert_max_num_queries(8):
        response = client.get(URL)

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    for kind in NotificationKind:
        assert f'name="{kind.value}" value="off"' in page
        assert f'name="{kind.value}" value="digest"' in page
    assert 'name="reply" value="immediate" required id="id_reply_1" checked' in page
    assert 'name="quote" value="off" required id="id_quote_0" checked' in page
    assert "jiwoo@example.com" in page
    # Reached from every settings page.
    assert f'href="{URL}" aria-current="page"' in page


def test_saving_stores_every_choice_and_says_so(client):
    member = UserFactory()
    client.force_login(member)
    choices = {**every_kind("off"), "mention": "digest", "new_thread": "immediate"}

    response = client.post(URL, choices, follow=True)

    assert response.redirect_chain == [(URL, HTTPStatus.FOUND)]
    assert "Your email settings have been saved." in response.content.decode()
    assert all_email_modes(member) == {
        **{kind: EmailMode.OFF for kind in NotificationKind},
        NotificationKind.MENTION: EmailMode.DIGEST,
        NotificationKind.NEW_THREAD: EmailMode.IMMEDIATE,
    }
    assert 'name="mention" value="digest" required id="id_mention_2" checked' in (
        response.content.decode()
    )


def test_bad_input_saves_nothing_and_keeps_the_other_choices(client):
    member = UserFactory()
    client.force_login(member)

    response = client.post(URL, {**every_kind("digest"), "reply": "weekly", "quote": "immediate"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "Your email settings were not saved" in page
    assert "Choose off, at once or daily digest." in page
    assert 'name="quote" value="immediate" required id="id_quote_1" checked' in page
    assert 'name="mention" value="digest" required id="id_mention_2" checked' in page
    assert email_mode(member, "quote") == EmailMode.OFF
    assert email_mode(member, "mention") == EmailMode.IMMEDIATE


def test_a_post_without_a_csrf_token_is_refused():
    member = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(URL, every_kind("off"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert email_mode(member, "reply") == EmailMode.IMMEDIATE


def test_a_member_with_an_unverified_address_is_told_nothing_is_sent_to_it(client):
    client.force_login(UserFactory(verified=False))

    page = client.get(URL).content.decode()

    assert "Nothing is sent to an address that is not verified" in page
    assert reverse("account_email") in page
