"""A banned member can log in, read and set their progress, and write nothing else."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.comments.services import post_comment
from fansite.moderation.models import Report
from fansite.threads.models import Thread
from fansite.users import services as user_services
from fansite.users.standing import PostingRefused
from tests.users.factories import PASSWORD
from tests.users.images import image_bytes, upload

from .conftest import comment_url, established, page_text, thread_create_url

pytestmark = pytest.mark.django_db

REASON = "Spoiling the finale on purpose"


@pytest.fixture
def banned(db):
    return established(
        username="banned",
        display_name="Old name",
        bio="Old bio",
        banned_until=timezone.now() + datetime.timedelta(days=3),
        ban_reason=REASON,
    )


@pytest.fixture
def own_comment(banned, thread):
    """Posted before the ban."""
    comment = post_comment(target=thread, author=established(), body="Placeholder.")
    Comment.objects.filter(pk=comment.pk).update(author=banned, body="Written before the ban.")
    comment.refresh_from_db()
    return comment


@pytest.fixture
def logged_in(client, banned):
    client.force_login(banned)
    return client


def assert_refused(response, *expected):
    assert response.status_code == HTTPStatus.FORBIDDEN
    text = page_text(response)
    for fragment in (*expected, f"Reason: {REASON}"):
        assert fragment in text


def test_cannot_post_a_comment(logged_in, thread):
    response = logged_in.post(comment_url(thread), {"body": "Let me speak."})

    assert_refused(response, "You are banned from posting until", "Let me speak.</textarea>")
    assert not Comment.objects.filter(body="Let me speak.").exists()


def test_cannot_start_a_thread(logged_in):
    response = logged_in.post(thread_create_url(), {"title": "My side", "body": "Listen."})

    assert_refused(response, "You are banned from posting until", 'value="My side"')
    assert not Thread.objects.filter(title="My side").exists()


def test_cannot_edit_their_comment(logged_in, own_comment):
    url = reverse("comments:comment_edit", args=[own_comment.pk])

    assert_refused(logged_in.get(url), "You are banned from posting until")
    response = logged_in.post(url, {"body": "Rewritten during the ban."})

    assert_refused(response, "You are banned from posting until")
    own_comment.refresh_from_db()
    assert own_comment.body == "Written before the ban."


def test_cannot_delete_their_comment(logged_in, own_comment):
    url = reverse("comments:comment_delete", args=[own_comment.pk])

    assert_refused(logged_in.get(url), "You are banned from posting until")
    response = logged_in.post(url)

    assert_refused(response, "You are banned from posting until")
    own_comment.refresh_from_db()
    assert not own_comment.is_removed


def test_cannot_report(logged_in, thread):
    comment = post_comment(target=thread, author=established(), body="Something to report.")
    url = reverse("moderation:report_create", kwargs={"kind": "comment", "pk": comment.pk})

    response = logged_in.post(url, {"reason": "spam", "details": "Typed anyway."})

    assert_refused(response, "cannot report", "Typed anyway.")
    assert not Report.objects.exists()


def test_cannot_change_name_or_bio_and_keeps_the_text(logged_in, banned):
    response = logged_in.post(
        reverse("users:profile_edit"), {"display_name": "New name", "bio": "New bio"}
    )

    assert_refused(
        response,
        "You are banned until",
        "and cannot change your name, bio or picture before then.",
        'value="New name"',
        "New bio</textarea>",
    )
    banned.refresh_from_db()
    assert (banned.display_name, banned.bio) == ("Old name", "Old bio")


def test_cannot_upload_or_remove_a_picture(logged_in, banned):
    type(banned).objects.filter(pk=banned.pk).update(avatar="avatars/abc123")
    url = reverse("users:profile_edit")
    fields = {"display_name": "Old name", "bio": "Old bio"}

    uploaded = logged_in.post(url, {**fields, "avatar": upload(image_bytes())})
    removed = logged_in.post(url, {**fields, "remove_avatar": "on"})

    assert_refused(uploaded, "cannot change your name, bio or picture")
    assert_refused(removed, "cannot change your name, bio or picture")
    banned.refresh_from_db()
    assert banned.avatar == "avatars/abc123"


def test_the_profile_form_warns_before_they_type(logged_in):
    response = logged_in.get(reverse("users:profile_edit"))

    assert response.status_code == HTTPStatus.OK
    assert "cannot change your name, bio or picture" in page_text(response)
    assert f"Reason: {REASON}" in page_text(response)


def test_can_still_set_reading_progress(logged_in, banned):
    from_profile = logged_in.post(
        reverse("users:profile_edit"),
        {"display_name": "Old name", "bio": "Old bio", "watched_up_to": 5},
    )
    banned.refresh_from_db()
    assert from_profile.status_code == HTTPStatus.FOUND
    assert banned.watched_up_to == 5

    from_header = logged_in.post(reverse("spoilers:progress_update"), {"watched_up_to": 7})
    banned.refresh_from_db()
    assert from_header.status_code == HTTPStatus.FOUND
    assert banned.watched_up_to == 7


def test_progress_is_saved_even_when_the_profile_change_is_refused(logged_in, banned):
    response = logged_in.post(
        reverse("users:profile_edit"),
        {"display_name": "New name", "bio": "Old bio", "watched_up_to": 4},
    )

    assert_refused(response, "Spoilers are now hidden beyond episode 4.")
    banned.refresh_from_db()
    assert banned.watched_up_to == 4
    assert banned.display_name == "Old name"


def test_can_log_in_and_read(client, banned, thread):
    response = client.post(
        reverse("account_login"), {"login": banned.username, "password": PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND

    page = client.get(thread.get_absolute_url())

    assert page.status_code == HTTPStatus.OK
    assert "Class 2-5 survivors" in page_text(page)
    assert "You are banned from posting until" in page_text(page)


def test_a_permanent_ban_says_permanently(client, thread):
    member = established(
        banned_until=datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC), ban_reason=REASON
    )
    client.force_login(member)

    posting = client.post(comment_url(thread), {"body": "Forever?"})
    profile = client.post(reverse("users:profile_edit"), {"display_name": "X", "bio": ""})

    assert_refused(posting, "You are banned from posting permanently.")
    assert_refused(
        profile, "You are banned permanently, so you cannot change your name, bio or picture."
    )


def test_moderators_can_still_remove_a_banned_members_picture(banned):
    banned.avatar = "avatars/placeholder"
    banned.save(update_fields=["avatar"])

    user_services.remove_avatar(member=banned)

    banned.refresh_from_db()
    assert not banned.has_avatar


def test_a_ban_that_has_ended_lifts_every_refusal(client, banned, thread):
    type(banned).objects.filter(pk=banned.pk).update(
        banned_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(banned)

    comment = client.post(comment_url(thread), {"body": "Back again."})
    profile = client.post(reverse("users:profile_edit"), {"display_name": "New", "bio": ""})

    assert comment.status_code == HTTPStatus.FOUND
    assert profile.status_code == HTTPStatus.FOUND


def test_the_profile_service_refuses_banned_members(banned):
    with pytest.raises(PostingRefused, match="cannot change your name, bio or picture"):
        user_services.update_profile(member=banned, display_name="New", bio="")
