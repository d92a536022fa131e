"""What a real moderator (staff, in the Moderators group, not a superuser) can and
cannot do in /admin/, and what a banned member meets on the site."""

import importlib
from http import HTTPStatus
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.moderation.models import ModerationLog
from fansite.moderation.services import hide_item
from fansite.users.models import User
from tests.users.factories import UserFactory

from .helpers import CommentFactory, ThreadFactory, logged_in, make_moderator

pytestmark = pytest.mark.django_db

MODERATOR_PERMISSIONS = {
    "comments.view_comment",
    "comments.change_comment",
    "comments.view_commentrevision",
    "threads.view_thread",
    "threads.change_thread",
    "threads.view_board",
    "moderation.view_report",
    "moderation.change_report",
    "moderation.view_moderationlog",
    "moderation.moderate_members",
    "users.view_user",
}


@pytest.fixture
def moderator():
    return make_moderator(username="mod")


@pytest.fixture
def moderator_client(client, moderator):
    return logged_in(client, moderator)


def group_permissions():
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name="Moderators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_moderators_group_has_exactly_the_moderation_permissions():
    assert group_permissions() == MODERATOR_PERMISSIONS


def test_group_migration_creates_missing_permissions_itself():
    # On a fresh database the migration runs before post_migrate has created any
    # permission; it must create them rather than fail or skip them.
    migration = importlib.import_module("fansite.moderation.migrations.0002_moderators_group")
    Group.objects.filter(name="Moderators").delete()
    Permission.objects.filter(codename__in=["moderate_members", "view_report"]).delete()
    # The function only reads the connection alias from its schema editor.
    migration.create_moderators_group(apps, SimpleNamespace(connection=connection))

    assert group_permissions() == MODERATOR_PERMISSIONS


def test_moderator_opens_admin_and_sees_only_what_they_act_on(moderator_client):
    response = moderator_client.get(reverse("admin:index"))

    assert response.status_code == HTTPStatus.OK
    for visible in ("Comments", "Threads", "Reports", "Moderation log", "Members", "Boards"):
        assert visible in response.text
    for hidden in ("Groups", "Sites", "Articles", "Episodes", "Email addresses"):
        assert f">{hidden}<" not in response.text
    assert moderator_client.get(reverse("admin:moderation_report_queue")).status_code == (
        HTTPStatus.OK
    )


@pytest.mark.parametrize(
    "url_name",
    ["admin:auth_group_changelist", "admin:auth_group_add", "admin:sites_site_changelist"],
)
def test_moderator_cannot_manage_groups_or_sites(moderator_client, url_name):
    assert moderator_client.get(reverse(url_name)).status_code == HTTPStatus.FORBIDDEN


def test_moderator_cannot_change_a_members_password(moderator_client):
    member = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    new = "a brand new passphrase 42"

    assert moderator_client.get(url).status_code == HTTPStatus.FORBIDDEN
    response = moderator_client.post(
        url, {"password1": new, "password2": new, "usable_password": "true"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    member.refresh_from_db()
    assert not member.check_password(new)


def test_moderator_cannot_add_or_delete_members(moderator_client):
    member = UserFactory()

    assert moderator_client.get(reverse("admin:users_user_add")).status_code == (
        HTTPStatus.FORBIDDEN
    )
    delete_url = reverse("admin:users_user_delete", args=[member.pk])
    assert moderator_client.post(delete_url, {"post": "yes"}).status_code == (HTTPStatus.FORBIDDEN)
    assert User.objects.filter(pk=member.pk).exists()


def test_moderator_sees_members_read_only_and_cannot_make_anyone_superuser(
    moderator_client, moderator
):
    for target in (moderator, UserFactory()):
        url = reverse("admin:users_user_change", args=[target.pk])
        page = moderator_client.get(url)
        assert page.status_code == HTTPStatus.OK
        assert 'name="is_superuser"' not in page.text
        assert 'name="is_staff"' not in page.text
        assert 'name="user_permissions"' not in page.text

        response = moderator_client.post(
            url,
            {
                "username": target.username,
                "is_superuser": "on",
                "is_staff": "on",
                "is_active": "on",
                "_save": "Save",
            },
        )

        assert response.status_code == HTTPStatus.FORBIDDEN
        target.refresh_from_db()
        assert not target.is_superuser


def test_moderator_gets_moderation_actions_but_not_the_avatar_removal(moderator_client):
    page = moderator_client.get(reverse("admin:users_user_changelist"))

    assert 'value="ban_members"' in page.text
    assert 'value="suspend_members"' in page.text
    assert 'value="unban_members"' in page.text
    assert 'value="hide_all_content"' in page.text
    assert 'value="remove_avatars"' not in page.text
    assert 'value="delete_selected"' not in page.text


def test_staff_without_the_group_cannot_moderate(client):
    staff = UserFactory(is_staff=True)
    client = logged_in(client, staff)
    comment = CommentFactory()

    assert client.get(reverse("admin:moderation_report_queue")).status_code == (
        HTTPStatus.FORBIDDEN
    )
    response = client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "hide_comments", "_selected_action": [comment.pk]},
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Comment.objects.get(pk=comment.pk).is_hidden


@pytest.mark.parametrize("as_superuser", [False, True])
def test_nobody_can_add_change_or_delete_log_entries(client, moderator, as_superuser):
    user = UserFactory(is_staff=True, is_superuser=True) if as_superuser else moderator
    client = logged_in(client, user)
    hide_item(item=CommentFactory(), moderator=moderator, reason="Spam")
    entry = ModerationLog.objects.get()
    change_url = reverse("admin:moderation_moderationlog_change", args=[entry.pk])

    assert client.get(reverse("admin:moderation_moderationlog_add")).status_code == (
        HTTPStatus.FORBIDDEN
    )
    assert client.post(change_url, {"reason": "Edited"}).status_code == HTTPStatus.FORBIDDEN
    delete_url = reverse("admin:moderation_moderationlog_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    bulk = client.post(
        reverse("admin:moderation_moderationlog_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    entry.refresh_from_db()
    assert entry.reason == "Spam"
    assert ModerationLog.objects.count() == 1


def test_member_banned_through_the_admin_sees_the_reason_when_posting(client, moderator_client):
    member = UserFactory()
    thread = ThreadFactory()
    moderator_client.post(
        reverse("admin:users_user_changelist"),
        {
            "action": "ban_members",
            "_selected_action": [member.pk],
            "reason": "Repeated untagged spoilers",
            "apply": "yes",
        },
    )
    client = logged_in(client, member)

    response = client.post(
        reverse("comments:comment_create", args=["thread", thread.pk]),
        {"body": "Let me back in"},
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "You are banned" in response.text
    assert "Reason: Repeated untagged spoilers" in response.text
    assert "Let me back in" in response.text
    assert not Comment.objects.filter(body="Let me back in").exists()
    # Reading still works.
    assert client.get(thread.get_absolute_url()).status_code == HTTPStatus.OK


def test_moderator_cannot_ban_themselves_through_the_admin(moderator_client, moderator):
    response = moderator_client.post(
        reverse("admin:users_user_changelist"),
        {"action": "ban_members", "_selected_action": [moderator.pk], "reason": "x", "apply": "1"},
        follow=True,
    )

    assert "your own account" in response.text
    moderator.refresh_from_db()
    assert not moderator.is_banned
    assert not ModerationLog.objects.exists()
