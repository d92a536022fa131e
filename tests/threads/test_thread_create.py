import datetime
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from fansite.threads.models import Thread
from tests.spoilers.readers import reader_for_client
from tests.users.factories import UserFactory

from .factories import board

pytestmark = pytest.mark.django_db


def create_url(slug):
    return reverse("threads:thread_create", args=[slug])


def spoiler_options(response):
    select = re.search(r'<select name="spoils_episode"[^>]*>(.*?)</select>', response.text, re.S)
    assert select, "no spoils-up-to select"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


@pytest.fixture
def member(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_anonymous_visitor_is_sent_to_log_in_first(client):
    response = client.get(create_url("episode-5"))

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{reverse('account_login')}?next={create_url('episode-5')}"


def test_member_starts_a_thread_and_lands_on_it(client, member):
    response = client.post(
        create_url("episode-5"),
        {"title": "Who opened the gate?", "body": "I think it was **him**.", "spoils_episode": 5},
    )

    thread = Thread.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    # The author has not recorded watching episode 5, so their own thread is
    # revealed for them rather than gated.
    token = reader_for_client(client).token(thread.reveal_key)
    assert response.url == f"{thread.get_absolute_url()}?reveal={token}"
    assert thread.board == board("episode-5")
    assert thread.author == member
    assert thread.spoiler_level == 5

    page = client.get(response.url)
    assert "Who opened the gate?" in page.text
    assert "I think it was <strong>him</strong>." in page.text
    episode_board = board("episode-5")
    assert (episode_board.thread_count, episode_board.post_count) == (1, 1)


def test_spoiler_level_defaults_to_the_boards_episode(client, member):
    response = client.get(create_url("episode-9"))

    assert spoiler_options(response) == ["9", "10", "11", "12"]
    assert '<option value="9" selected>' in response.text


def test_caught_up_author_lands_on_the_plain_thread_page(client, member):
    member.watched_up_to = 12
    member.save()
    response = client.post(
        create_url("episode-3"), {"title": "Fine", "body": "Fine.", "spoils_episode": 3}
    )
    assert response.url == Thread.objects.get().get_absolute_url()


def test_author_may_raise_the_spoiler_level(client, member):
    client.post(
        create_url("episode-9"),
        {"title": "Where this is going", "body": "Think ahead.", "spoils_episode": 11},
    )
    assert Thread.objects.get().spoiler_level == 11


def test_author_may_not_lower_the_spoiler_level_and_keeps_the_text(client, member):
    response = client.post(
        create_url("episode-9"),
        {"title": "Sneaky low level", "body": "Something from episode nine.", "spoils_episode": 4},
    )

    assert response.status_code == HTTPStatus.OK
    assert not Thread.objects.exists()
    assert "Select a valid choice" in response.text
    assert 'value="Sneaky low level"' in response.text
    assert "Something from episode nine.</textarea>" in response.text


def test_general_board_offers_no_spoilers_or_any_episode(client, member):
    options = spoiler_options(client.get(create_url("general")))
    # "No spoilers" is an explicit choice (see test_default_level.py).
    assert options == ["0", *(str(n) for n in range(1, 13))]

    client.post(create_url("general"), {"title": "Casting news", "body": "Spoiler-free."})
    client.post(
        create_url("general"), {"title": "The ending", "body": "Big talk.", "spoils_episode": 12}
    )
    levels = dict(Thread.objects.values_list("title", "spoils_episode"))
    assert levels == {"Casting news": None, "The ending": 12}


def test_missing_title_is_refused_and_the_body_kept(client, member):
    response = client.post(
        create_url("theories"), {"title": "  ", "body": "My long theory about the school."}
    )

    assert response.status_code == HTTPStatus.OK
    assert not Thread.objects.exists()
    assert "This field is required." in response.text
    assert "My long theory about the school.</textarea>" in response.text


def test_blank_opening_post_is_refused_and_the_title_kept(client, member):
    response = client.post(create_url("theories"), {"title": "A theory", "body": "   \n  "})

    assert not Thread.objects.exists()
    assert "Write the opening post." in response.text
    assert 'value="A theory"' in response.text


def test_banned_member_is_refused_with_the_reason_and_keeps_the_text(client):
    banned = UserFactory(
        banned_until=timezone.now() + datetime.timedelta(days=3), ban_reason="Spoiling on purpose"
    )
    client.force_login(banned)

    warned = client.get(create_url("episode-2"))
    assert "Spoiling on purpose" in warned.text

    response = client.post(
        create_url("episode-2"),
        {"title": "Let me in", "body": "Typed with care.", "spoils_episode": 2},
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Thread.objects.exists()
    assert "You are banned from posting until" in response.text
    assert "Reason: Spoiling on purpose" in response.text
    assert 'value="Let me in"' in response.text
    assert "Typed with care.</textarea>" in response.text


def test_anonymous_post_is_refused_and_the_text_kept(client):
    response = client.post(
        create_url("general"), {"title": "Drive-by", "body": "Written before logging in."}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Thread.objects.exists()
    assert "Log in to post." in response.text
    assert "Written before logging in.</textarea>" in response.text
    assert f"{reverse('account_login')}?next=" in response.text


# --- text members type (issue 12) ------------------------------------------

INVISIBLE_TITLE = " \u200b\u200c \u200d\u2060 \ufeff "


def test_title_of_only_invisible_characters_is_refused_and_the_body_kept(client, member):
    response = client.post(
        create_url("theories"), {"title": INVISIBLE_TITLE, "body": "My theory, kept."}
    )

    assert response.status_code == HTTPStatus.OK
    assert not Thread.objects.exists()
    assert "This field is required." in response.text
    assert "My theory, kept.</textarea>" in response.text


def test_opening_post_of_only_invisible_characters_is_refused(client, member):
    response = client.post(
        create_url("theories"), {"title": "A theory", "body": "\u200b\n\u2060\ufeff"}
    )

    assert not Thread.objects.exists()
    assert "Write the opening post." in response.text


def test_control_characters_are_removed_from_title_and_opening_post(client, member):
    client.post(
        create_url("theories"),
        {
            "title": "\x1b[31mRed\x1b[0m alert\x7f\x85",
            "body": "Line one\r\nLine\x85two\x1b[0m\x07\rthree\ttabbed",
        },
    )

    thread = Thread.objects.get()
    assert thread.title == "Red alert"
    assert thread.comments.get().body == "Line one\nLine\ntwo\nthree\ttabbed"


def test_titles_keep_emoji_sequences_and_joiners_inside_words(client, member):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # joined by ZWJ
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645"  # ZWNJ inside the word
    title = f"{family} night: {persian} \u2764\ufe0f"  # a red heart ends the title

    client.post(create_url("theories"), {"title": f"\u200b{title}\u200b", "body": "Agreed."})

    assert Thread.objects.get().title == title
