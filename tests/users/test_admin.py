from http import HTTPStatus

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from fansite.users.models import User

from .factories import UserFactory
from .test_profile import give_avatar

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def test_member_list_shows_profile_columns_and_searches_display_names(admin_client):
    UserFactory(username="onjo", display_name="Nam On-jo")
    UserFactory(username="cheongsan", display_name="Lee Cheong-san")

    response = admin_client.get(reverse("admin:users_user_changelist"), {"q": "On-jo"})

    assert response.status_code == HTTPStatus.OK
    assert "Nam On-jo" in response.text
    assert "Lee Cheong-san" not in response.text
    for column in ("Display name", "Date joined", "Last login", "Active", "Staff status"):
        assert column in response.text


def test_member_page_has_profile_fields_and_avatar_preview(admin_client):
    member = give_avatar(UserFactory(bio="Archery club."))

    response = admin_client.get(reverse("admin:users_user_change", args=[member.pk]))

    assert response.status_code == HTTPStatus.OK
    assert 'name="display_name"' in response.text
    assert "Archery club.</textarea>" in response.text
    assert f'<img src="/media/{member.avatar}/128.webp" width="128" height="128" alt="">' in (
        response.text
    )
    # Django's own password form stays linked from the change page (relative link).
    assert 'href="../password/">Reset password</a>' in response.text


def test_admin_can_change_a_password(admin_client):
    member = UserFactory()
    new_password = "another long passphrase 99"

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[member.pk]),
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )

    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.check_password(new_password)


def test_admin_action_removes_avatars(admin_client, django_capture_on_commit_callbacks):
    member = give_avatar(UserFactory())
    files = member.avatar_rendition_names()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:users_user_changelist"),
            {"action": "remove_avatars", "_selected_action": [member.pk]},
        )

    member.refresh_from_db()
    assert not member.has_avatar
    assert not any(default_storage.exists(name) for name in files)


def test_admin_add_form_refuses_a_username_taken_in_another_case(admin_client):
    UserFactory(username="alice")

    response = admin_client.post(
        reverse("admin:users_user_add"),
        {
            "username": "ALICE",
            "password1": "correct horse battery staple",
            "password2": "correct horse battery staple",
            "usable_password": "true",
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert User.objects.count() == 2  # alice and the admin, nobody new


def test_createsuperuser_works_with_the_custom_user(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "correct horse battery staple")

    call_command("createsuperuser", interactive=False, username="admin", email="admin@example.com")

    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("correct horse battery staple")


def test_createsuperuser_still_applies_the_character_rules(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "correct horse battery staple")

    with pytest.raises(CommandError, match="Use only letters"):
        call_command(
            "createsuperuser", interactive=False, username="ad@min", email="admin@example.com"
        )
