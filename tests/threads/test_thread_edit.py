"""Issue 13, item 6: authors may correct their own labels.

The author of a thread edits its title and raises (never lowers) its spoiler episode
on a page of its own. Raising carries the opening post and the thread's other
comments exactly as a moderator's re-tag does, leaves one entry in the moderation
log, and the commenters whose comments rose are told.
"""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.episodes.models import Episode
from fansite.moderation.models import LevelChangeNotice, ModerationLog
from fansite.threads.models import Thread
from tests.users.factories import UserFactory

from .factories import ThreadFactory, board, reply

pytestmark = pytest.mark.django_db

TITLE = "Who opens the science room door osprey-4410"
OPENING = "The opening post about the door kestrel-2280"
COMMENT = "A reply that names the culprit plover-7731"


def edit_url(thread):
    return reverse("threads:thread_edit", kwargs={"pk": thread.pk})


@pytest.fixture
def author():
    return UserFactory(username="thread_author", watched_up_to=12)


@pytest.fixture
def thread(author):
    return ThreadFactory(board=board("episode-3"), author=author, title=TITLE, body=OPENING)


def spoiler_options(html):
    select = re.search(r'<select name="spoils_episode"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no spoils-up-to select"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def levels(thread):
    return dict(Comment.objects.filter(thread=thread).values_list("body", "spoils_episode"))


def test_the_author_finds_an_edit_link_on_their_thread_and_nobody_else_does(client, thread, author):
    client.force_login(author)
    assert edit_url(thread) in client.get(thread.get_absolute_url()).text

    client.force_login(UserFactory(watched_up_to=12))
    assert edit_url(thread) not in client.get(thread.get_absolute_url()).text


def test_the_level_menu_offers_only_the_current_episode_and_later_ones(client, thread, author):
    Episode.objects.filter(position=7).update(title="The Rooftop")
    Episode.objects.get(position=7).save()  # drops the cached titles, as the admin would
    client.force_login(author)

    html = client.get(edit_url(thread)).text

    assert spoiler_options(html) == [str(n) for n in range(3, 13)]
    assert '<option value="3" selected>Episode 3</option>' in html
    assert '<option value="7">Episode 7 — The Rooftop</option>' in html
    assert f'value="{TITLE}"' in html


def test_raising_the_level_carries_the_opening_post_and_comments(client, thread, author):
    commenter = UserFactory(watched_up_to=12)
    reply(thread, body=COMMENT, author=commenter)
    client.force_login(author)

    response = client.post(edit_url(thread), {"title": TITLE, "spoils_episode": 9})

    assert response.status_code == HTTPStatus.FOUND
    thread.refresh_from_db()
    assert thread.spoils_episode_id == 9
    assert levels(thread) == {OPENING: 9, COMMENT: 9}
    entry = ModerationLog.objects.get()
    assert entry.action == ModerationLog.Action.AUTHOR_EDIT
    assert entry.moderator == author
    assert entry.before == {
        "spoils_episode": 3,
        "opening_post_spoils_episode": 3,
        "comments_raised": 0,
    }
    assert entry.after == {
        "spoils_episode": 9,
        "opening_post_spoils_episode": 9,
        "comments_raised": 1,
    }
    # The commenter is told; the author, who did it, is not.
    notice = LevelChangeNotice.objects.get()
    assert notice.recipient == commenter
    assert notice.cause == LevelChangeNotice.Cause.AUTHOR

    # A reader at episode 3 now gets none of it; one at episode 9 all of it.
    client.force_login(UserFactory(watched_up_to=3))
    html = client.get(thread.get_absolute_url()).text
    for secret in (TITLE, OPENING, COMMENT):
        assert secret not in html
    assert "Spoiler for episode 9" in html
    client.force_login(UserFactory(watched_up_to=9))
    html = client.get(thread.get_absolute_url()).text
    for secret in (TITLE, OPENING, COMMENT):
        assert secret in html


def test_a_lower_level_is_refused_and_the_form_keeps_what_was_typed(client, author):
    thread = ThreadFactory(board=board("episode-3"), author=author, title=TITLE, spoils_episode=9)
    client.force_login(author)

    response = client.post(edit_url(thread), {"title": "A better title", "spoils_episode": 5})

    assert response.status_code == HTTPStatus.OK
    assert 'value="A better title"' in response.text
    assert "Select a valid choice" in response.text
    thread.refresh_from_db()
    assert (thread.title, thread.spoils_episode_id) == (TITLE, 9)
    assert not ModerationLog.objects.exists()


def test_the_service_never_lowers_whatever_is_sent(author):
    from fansite.moderation.services import edit_own_thread

    thread = ThreadFactory(board=board("episode-3"), author=author, title=TITLE, spoils_episode=9)
    edit_own_thread(thread=thread, author=author, title=TITLE, episode_position=4)

    thread.refresh_from_db()
    assert thread.spoils_episode_id == 9


def test_a_title_edit_is_checked_as_when_starting_a_thread(client, thread, author):
    client.force_login(author)

    blank = client.post(edit_url(thread), {"title": "\u200b \u200b", "spoils_episode": 3})
    too_long = client.post(edit_url(thread), {"title": "x" * 141, "spoils_episode": 3})

    assert blank.status_code == too_long.status_code == HTTPStatus.OK
    assert "This field is required." in blank.text
    assert "Ensure this value has at most 140 characters" in too_long.text
    thread.refresh_from_db()
    assert thread.title == TITLE


def test_a_title_edit_is_logged_with_the_old_title(client, thread, author):
    client.force_login(author)

    client.post(edit_url(thread), {"title": "  Corrected title ", "spoils_episode": 3})

    thread.refresh_from_db()
    assert thread.title == "Corrected title"
    entry = ModerationLog.objects.get()
    assert entry.before == {"title": TITLE}
    assert entry.after == {"title": "Corrected title"}
    assert not LevelChangeNotice.objects.exists()


def test_on_a_board_without_an_episode_no_spoilers_can_be_raised(client, author):
    thread = ThreadFactory(board=board("general"), author=author, title=TITLE, spoils_episode=0)
    client.force_login(author)
    assert spoiler_options(client.get(edit_url(thread)).text) == [
        "0",
        *(str(n) for n in range(1, 13)),
    ]

    client.post(edit_url(thread), {"title": TITLE, "spoils_episode": 4})

    thread.refresh_from_db()
    assert thread.spoils_episode_id == 4


def test_someone_else_cannot_edit_and_never_sees_the_gated_title(client, author):
    thread = ThreadFactory(board=board("episode-3"), author=author, title=TITLE, spoils_episode=9)
    client.force_login(UserFactory(watched_up_to=3))

    page = client.get(edit_url(thread))
    post = client.post(edit_url(thread), {"title": "Hijacked", "spoils_episode": 12})

    assert page.status_code == post.status_code == HTTPStatus.FORBIDDEN
    assert "Only the thread&#x27;s author" in page.text
    for response in (page, post):
        assert TITLE not in response.text
        assert '<form method="post" class="form form--thread"' not in response.text
    thread.refresh_from_db()
    assert (thread.title, thread.spoils_episode_id) == (TITLE, 9)


def test_moderators_use_the_admin_not_this_page(client, thread):
    from tests.moderation.helpers import make_moderator

    client.force_login(make_moderator())
    assert client.get(edit_url(thread)).status_code == HTTPStatus.FORBIDDEN


def test_visitors_are_sent_to_log_in(client, thread):
    response = client.get(edit_url(thread))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response["Location"]


def test_a_banned_author_is_told_why_and_keeps_what_they_typed(client, thread, author):
    author.banned_until = timezone.now() + timedelta(days=3)
    author.ban_reason = "Spoiling in titles"
    author.save()
    client.force_login(author)

    response = client.post(edit_url(thread), {"title": "Typed while banned", "spoils_episode": 9})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Spoiling in titles" in response.text
    assert 'value="Typed while banned"' in response.text
    thread.refresh_from_db()
    assert (thread.title, thread.spoils_episode_id) == (TITLE, 3)
    assert edit_url(thread) not in client.get(thread.get_absolute_url()).text


@pytest.mark.parametrize("flag", ["is_locked", "is_hidden"])
def test_locked_and_hidden_threads_cannot_be_edited(client, thread, author, flag):
    Thread.objects.filter(pk=thread.pk).update(**{flag: True})
    client.force_login(author)

    response = client.post(edit_url(thread), {"title": "New", "spoils_episode": 9})

    assert response.status_code == HTTPStatus.FORBIDDEN
    thread.refresh_from_db()
    assert (thread.title, thread.spoils_episode_id) == (TITLE, 3)


def test_the_form_needs_its_csrf_token(thread, author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)

    response = client.post(edit_url(thread), {"title": "No token", "spoils_episode": 9})

    assert response.status_code == HTTPStatus.FORBIDDEN
    thread.refresh_from_db()
    assert thread.title == TITLE


def test_the_edit_page_takes_a_constant_number_of_queries(
    client, thread, author, django_assert_max_num_queries
):
    for _ in range(5):
        reply(thread)
    client.force_login(author)
    client.get(edit_url(thread))  # episode titles cached, as after the first visit

    with django_assert_max_num_queries(6):
        assert client.get(edit_url(thread)).status_code == HTTPStatus.OK
