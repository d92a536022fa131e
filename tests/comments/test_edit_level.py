"""Issue 13, item 6 (in part): editing a comment never lowers its spoiler level.
Readers below it were kept from the comment; an edit must not hand it to them."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from tests.users.factories import UserFactory

from .factories import ThreadFactory

pytestmark = pytest.mark.django_db

SECRET = "Nam-ra keeps the bite hidden heron-5512"


def test_an_edit_cannot_lower_a_comments_level(client):
    thread = ThreadFactory()  # an episode-3 thread
    author = UserFactory(watched_up_to=12)
    client.force_login(author)
    client.post(
        reverse("comments:comment_create", kwargs={"kind": "thread", "pk": thread.pk}),
        {"body": SECRET, "spoils_episode": 9},
    )
    comment = Comment.objects.get(body=SECRET)
    assert comment.spoiler_level == 9

    response = client.post(
        reverse("comments:comment_edit", kwargs={"pk": comment.pk}),
        {"body": SECRET + " (typo fixed)", "spoils_episode": 5},
    )
    assert response.status_code == HTTPStatus.FOUND

    comment.refresh_from_db()
    assert comment.body.endswith("(typo fixed)")
    assert comment.spoiler_level == 9
    reader = UserFactory(watched_up_to=5)
    client.force_login(reader)
    assert SECRET not in client.get(thread.get_absolute_url()).text
    client.force_login(UserFactory(watched_up_to=9))
    assert SECRET in client.get(thread.get_absolute_url()).text


def test_an_edit_may_still_raise_the_level(client):
    thread = ThreadFactory()
    author = UserFactory(watched_up_to=12)
    client.force_login(author)
    client.post(
        reverse("comments:comment_create", kwargs={"kind": "thread", "pk": thread.pk}),
        {"body": SECRET},
    )
    comment = Comment.objects.get(body=SECRET)

    client.post(
        reverse("comments:comment_edit", kwargs={"pk": comment.pk}),
        {"body": SECRET, "spoils_episode": 11},
    )

    comment.refresh_from_db()
    assert comment.spoiler_level == 11
