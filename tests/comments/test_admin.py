from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.comments.services import edit_comment
from tests.users.factories import UserFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_shows_spoiler_free_excerpts(admin_client, thread):
    CommentFactory(thread=thread, body="Everyone cheered. >!Then the teacher turned!<")

    response = admin_client.get(reverse("admin:comments_comment_changelist"))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Everyone cheered. [spoiler]" in html
    assert "Then the teacher turned" not in html


def test_changelist_search_and_filters_load(admin_client, thread):
    CommentFactory(thread=thread, body="Searchable words.", is_hidden=True)
    url = reverse("admin:comments_comment_changelist")

    found = admin_client.get(url, {"q": "Searchable"})
    filtered = admin_client.get(url, {"is_hidden__exact": "1"})

    assert "Searchable words." in found.content.decode()
    assert filtered.status_code == HTTPStatus.OK
    assert "Searchable words." in filtered.content.decode()
    assert "Opening post" not in filtered.content.decode()


def test_change_page_shows_earlier_versions(admin_client, member, thread):
    comment = CommentFactory(thread=thread, author=member, body="The original wording.")
    edit_comment(comment=comment, editor=member, body="The new wording.")

    response = admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))

    assert response.status_code == HTTPStatus.OK
    assert "Earlier versions" in response.content.decode()
    assert "The original wording." in response.content.decode()


def test_hide_and_unhide_actions(admin_client, thread):
    comments = CommentFactory.create_batch(2, thread=thread)
    url = reverse("admin:comments_comment_changelist")
    selected = [comment.pk for comment in comments]

    admin_client.post(url, {"action": "hide_comments", "_selected_action": selected})
    assert Comment.objects.filter(pk__in=selected, is_hidden=True).count() == 2

    admin_client.post(url, {"action": "unhide_comments", "_selected_action": selected})
    assert Comment.objects.filter(pk__in=selected, is_hidden=True).count() == 0
