"""Deleting your own account: personal data goes, conversations stay readable."""

from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.threads.models import Thread
from fansite.users.avatars import prepare_avatar
from fansite.users.models import User
from fansite.users.services import update_profile
from tests.threads.factories import ThreadFactory, reply

from .factories import PASSWORD, UserFactory
from .images import image_bytes, upload

pytestmark = pytest.mark.django_db

URL = reverse("users:account_delete")


def test_deleting_removes_personal_data_and_keeps_posts_anonymously(
    client, django_capture_on_commit_callbacks
):
    member = UserFactory(username="leaving", bio="I live in Hyosan.")
    picture = prepare_avatar(upload(image_bytes()))
    update_profile(member=member, display_name="Leaver", bio=member.bio, avatar=picture)
    avatar_files = member.avatar_rendition_names()
    assert all(default_storage.exists(name) for name in avatar_files)
    thread = ThreadFactory(author=member, title="My last thread")
    answer = reply(thread, body="Someone answered.")
    reply(thread, body="My own reply.", author=member, parent=answer)
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.filter(username="leaving").exists()
    assert not EmailAddress.objects.filter(email=member.email).exists()
    assert not any(default_storage.exists(name) for name in avatar_files)
    assert "_auth_user_id" not in client.session
    # The conversation is intact, signed by nobody.
    thread = Thread.objects.get(title="My last thread")
    assert thread.author is None
    assert Comment.objects.filter(thread=thread).count() == 3
    assert not Comment.objects.filter(thread=thread, author_id=member.pk).exists()
    page = client.get(thread.get_absolute_url())
    assert page.status_code == HTTPStatus.OK
    assert "[deleted member]" in page.text
    assert "My own reply." in page.text
    assert "Leaver" not in page.text
    assert client.get("/members/leaving/").status_code == HTTPStatus.NOT_FOUND


def test_a_wrong_password_deletes_nothing(client):
    member = UserFactory()
    client.force_login(member)

    response = client.post(URL, {"password": "not my password"})

    assert response.status_code == HTTPStatus.OK
    assert "That is not your password." in response.text
    assert User.objects.filter(pk=member.pk).exists()


def test_staff_accounts_are_closed_by_an_administrator(client):
    moderator = UserFactory(is_staff=True)
    client.force_login(moderator)

    response = client.post(URL, {"password": PASSWORD})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Ask an administrator" in response.text
    assert User.objects.filter(pk=moderator.pk).exists()


def test_the_page_needs_a_login_and_explains_what_happens(client):
    assert client.get(URL).status_code == HTTPStatus.FOUND

    client.force_login(UserFactory())
    response = client.get(URL)

    assert response.status_code == HTTPStatus.OK
    assert "[deleted member]" in response.text
    assert "cannot be undone" in response.text
