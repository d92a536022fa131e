"""The notification centre, the header count, the follow buttons and the Following page."""

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fansite.moderation import services as moderation
from fansite.notifications import services
from fansite.notifications.models import Follow, Notification
from tests.moderation.helpers import make_moderator
from tests.threads.factories import board
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db
CENTRE = reverse("notifications:notification_list")


def test_the_centre_lists_grouped_lines_newest_first(client, posting, alice, bob, carol):
    first = posting.thread(alice, title="Older thread")
    second = posting.thread(alice, title="Newer thread")
    posting.comment(first, bob, "One.")
    posting.comment(first, carol, "Two.")
    posting.comment(second, bob, "Three.")
    client.force_login(alice)

    text = client.get(CENTRE).text

    assert "Bob replied to you in “Newer thread”" in text
    assert "2 new replies to you in “Older thread”" in text
    assert text.index("Newer thread") < text.index("Older thread")
    # The line lands on the comment (its permalink finds its page).
    comment = Notification.objects.get(thread=second).comment
    assert f'href="{comment.get_absolute_url()}"' in text


def test_the_centre_is_paginated(client, posting, alice, bob):
    for n in range(27):
        posting.thread(bob, title=f"Thread {n}", body=f"Hey @alice, number {n}.")
    client.force_login(alice)

    first = client.get(CENTRE).text
    second = client.get(CENTRE, {"page": 2}).text

    assert "“Thread 26”" in first
    assert "“Thread 0”" not in first
    assert "“Thread 0”" in second
    assert "“Thread 26”" not in second


@pytest.mark.parametrize("count", [2, 25])
def test_the_centre_runs_the_same_queries_for_any_number_of_lines(
    client, posting, alice, bob, count, django_assert_max_num_queries
):
    for n in range(count):
        thread = posting.thread(bob, title=f"Thread {n}", body=f"@alice look {n}")
        posting.comment(thread, bob, f"And again @alice {n}", spoils_episode=None)
    services.follow(member=alice, target=board("general"))
    client.force_login(alice)

    with django_assert_max_num_queries(8):
        response = client.get(CENTRE)

    assert response.status_code == HTTPStatus.OK
    assert response.text.count('class="notification ') == count


def test_marking_one_and_all_read(client, posting, alice, bob):
    posting.thread(bob, title="First", body="@alice hi")
    posting.thread(bob, title="Second", body="@alice hello")
    client.force_login(alice)
    line = Notification.objects.get(thread__title="First")

    client.post(reverse("notifications:notification_read", args=[line.pk]))
    assert list(Notification.objects.unread().values_list("thread__title", flat=True)) == ["Second"]

    response = client.post(reverse("notifications:notification_read_all"))
    assert response.status_code == HTTPStatus.FOUND
    assert not Notification.objects.unread().exists()


def test_nobody_marks_someone_elses_line(client, posting, alice, bob):
    posting.thread(bob, body="@alice hi")
    client.force_login(bob)

    client.post(reverse("notifications:notification_read", args=[Notification.objects.get().pk]))

    assert Notification.objects.unread().count() == 1


@pytest.mark.parametrize(
    "name",
    ["notification_read_all", "follow_create", "follow_delete", "notification_settings_update"],
)
def test_every_write_needs_a_login_and_a_csrf_token(posting, alice, name):
    thread = posting.thread(alice)
    args = ["thread", thread.pk] if name.startswith("follow") else []
    url = reverse(f"notifications:{name}", args=args)

    anonymous = Client().post(url)
    assert anonymous.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in anonymous.url

    member = Client(enforce_csrf_checks=True)
    member.force_login(UserFactory())
    assert member.post(url).status_code == HTTPStatus.FORBIDDEN
    assert member.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_centre_needs_a_login(client):
    assert client.get(CENTRE).status_code == HTTPStatus.FOUND


# --- The header ----------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_fresh_on_cached_pages(client, posting, alice, bob):
    client.force_login(alice)
    assert "notification-count" not in client.get("/").text

    posting.thread(bob, body="@alice look")
    posting.thread(bob, body="@alice and this")
    home = client.get("/").text
    assert '<span class="notification-count">2<span class="visually-hidden"> unread' in home

    services.mark_all_read(member=alice)
    assert "notification-count" not in client.get("/").text


def test_the_header_never_shows_someone_elses_count(client, posting, alice, bob):
    posting.thread(bob, body="@alice look")
    client.force_login(alice)
    client.get("/")
    client.force_login(UserFactory(watched_up_to=alice.watched_up_to))

    assert "notification-count" not in client.get("/").text


def test_a_member_with_nothing_costs_no_query_for_the_count(client, alice):
    client.force_login(alice)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert "Notifications" in response.text
    assert not [q for q in queries.captured_queries if "notifications_" in q["sql"]]


def test_a_first_thread_page_reads_the_count_and_follows_in_one_statement(
    client, posting, alice, bob
):
    """Neither in the cache (a member's first page in a day): both from one
    statement, each right, then both from the cache."""
    from django.core.cache import cache

    from fansite.notifications.state import marker_keys

    followed = posting.thread(bob, title="Followed")
    posting.thread(bob, body="@alice look")
    thread = posting.thread(bob, title="Open")
    services.follow(member=alice, target=followed)
    services.follow(member=alice, target=thread)
    client.force_login(alice)
    cache.delete_many(marker_keys(alice))

    with CaptureQueriesContext(connection) as queries:
        text = client.get(thread.get_absolute_url()).text
    with CaptureQueriesContext(connection) as again:
        client.get(thread.get_absolute_url())

    assert '<span class="notification-count">1<span class="visually-hidden"> unread' in text
    assert "Following · Unfollow</button>" in text
    asked = [q["sql"] for q in queries.captured_queries if "notifications_" in q["sql"]]
    assert len(asked) == 1
    assert "notifications_follow" in asked[0]
    assert "notifications_notification" in asked[0]
    assert not [q for q in again.captured_queries if "notifications_" in q["sql"]]


# --- Following -----------------------------------------------------------------------------


def test_follow_and_unfollow_from_the_thread_page(client, posting, alice, bob):
    thread = posting.thread(bob)
    client.force_login(alice)
    assert "Follow</button>" in client.get(thread.get_absolute_url()).text

    client.post(reverse("notifications:follow_create", args=["thread", thread.pk]))
    page = client.get(thread.get_absolute_url()).text
    assert "Following · Unfollow" in page
    assert Follow.objects.active().filter(member=alice, thread=thread).exists()

    client.post(reverse("notifications:follow_delete", args=["thread", thread.pk]))
    assert "Follow</button>" in client.get(thread.get_absolute_url()).text
    assert not Follow.objects.active().filter(member=alice).exists()


def test_the_follow_button_on_a_cached_page_posts_with_a_valid_token(posting, alice, bob):
    thread = posting.thread(bob)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    browser.get(thread.get_absolute_url())  # renders and stores the page
    cached = browser.get(thread.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit"

    # One token for every form on the page, the button filled in after the cache too.
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', cached.text))
    assert len(tokens) == 1
    button = re.search(r'<form class="follow-form" method="post" action="([^"]+)"', cached.text)
    response = browser.post(button[1], {"csrfmiddlewaretoken": tokens.pop()})

    assert response.status_code == HTTPStatus.FOUND
    assert Follow.objects.active().filter(member=alice, thread=thread).exists()


def test_visitors_get_no_follow_button(client, posting, bob):
    thread = posting.thread(bob)

    page = client.get(thread.get_absolute_url()).text

    assert "notifications:" not in page
    assert "follow-form" not in page


def test_follow_a_board_and_list_what_is_followed(client, posting, alice, bob):
    thread = posting.thread(bob, title="A thread I like")
    client.force_login(alice)
    general = board("general")
    assert "Follow this board" in client.get(general.get_absolute_url()).text
    client.post(reverse("notifications:follow_create", args=["board", general.pk]))
    client.post(reverse("notifications:follow_create", args=["thread", thread.pk]))

    page = client.get(reverse("notifications:follow_list")).text

    assert "A thread I like" in page
    assert "The General board" in page or general.title in page


def test_unfollow_from_the_notification(client, posting, alice, bob):
    thread = posting.thread(bob)
    services.follow(member=alice, target=thread)
    posting.comment(thread, bob, "More.")
    client.force_login(alice)
    page = client.get(CENTRE).text
    url = reverse("notifications:follow_delete", args=["thread", thread.pk])
    assert f'action="{url}"' in page

    client.post(url)
    assert not Follow.objects.active().filter(member=alice).exists()


def test_unfollow_a_board_from_a_new_thread_line(client, posting, alice, bob):
    general = board("general")
    services.follow(member=alice, target=general)
    posting.thread(bob, slug="general", title="Fresh")
    client.force_login(alice)
    page = client.get(CENTRE).text
    url = reverse("notifications:follow_delete", args=["board", general.pk])
    assert f'action="{url}"' in page
    assert "Unfollow this board" in page
    assert "Unfollow this thread" not in page

    client.post(url)
    assert not Follow.objects.active().filter(member=alice, board=general).exists()


def test_the_auto_follow_setting_is_saved(client, alice):
    client.force_login(alice)
    client.post(reverse("notifications:notification_settings_update"), {})
    assert not services.follows_threads_posted_in(alice)
    client.post(
        reverse("notifications:notification_settings_update"), {"follow_threads_posted_in": "on"}
    )
    assert services.follows_threads_posted_in(alice)


# --- Moderation ------------------------------------------------------------------------------


def test_authors_hear_of_moderation_with_the_reason(client, posting, alice, bob):
    thread = posting.thread(bob, title="Calm thread")
    comment = posting.comment(thread, alice, "Something rude.")
    moderator = make_moderator()

    moderation.hide_item(item=comment, moderator=moderator, reason="Be kind")
    moderation.restore_item(item=comment, moderator=moderator, reason="On appeal")
    moderation.respoil_item(item=comment, episode_position=5, moderator=moderator, reason="Ep 5")
    client.force_login(alice)
    page = client.get(CENTRE).text

    assert "Moderators hid your comment in “Calm thread”. Reason: Be kind" in page
    assert "Moderators restored your comment in “Calm thread”. Reason: On appeal" in page
    assert (
        "Your comment in “Calm thread” is now marked as spoiling up to episode 5. Reason: Ep 5"
        in page
    )


def test_authors_hear_of_a_spoiler_guards_raise(client, posting, alice, bob):
    thread = posting.thread(bob, title="Calm thread", spoils_episode=0)
    comment = posting.comment(thread, alice, "About the ending.")
    guard = UserFactory(spoiler_guard="guard", watched_up_to=12)

    moderation.guard_raise_item(
        item=comment, guard=guard, episode_position=12, reason="REASON-SECRET"
    )
    alice.watched_up_to = 3
    alice.save()
    client.force_login(alice)
    page = client.get(CENTRE).text

    assert (
        "Your comment in a thread on the General discussion board is now marked as spoiling "
        "up to episode 12. The reason shows once you have watched that far. — spoiler for "
        "episode 12"
    ) in page
    assert "REASON-SECRET" not in page
    alice.watched_up_to = 12
    alice.save()
    assert "Reason: REASON-SECRET" in client.get(CENTRE).text


def test_a_hidden_comment_leaves_the_centre_and_the_count(client, posting, alice, bob):
    thread = posting.thread(alice, title="Calm thread")
    comment = posting.comment(thread, bob, "@alice something rude")
    client.force_login(alice)
    assert '<span class="notification-count">1<' in client.get("/").text

    moderation.hide_item(item=comment, moderator=make_moderator(), reason="Rude")

    assert "notification-count" not in client.get("/").text
    assert "Bob mentioned you" not in client.get(CENTRE).text
