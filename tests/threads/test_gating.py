"""Server-side spoiler gating on the board list, board pages and thread pages.

A thread on the episode 9 board spoils episode 9: readers who have not
watched it must not receive its title or opening post at all, only the
labelled gate, unless they reveal that one thread.
"""

import re

import pytest
from django.urls import reverse

from fansite.comments.services import edit_comment
from tests.spoilers.readers import revealing
from tests.users.factories import UserFactory

from .conftest import watch_up_to
from .factories import ThreadFactory, board, reply

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Secret Title X"
SECRET_BODY = "secret body Y"
LABEL = "Spoiler for episode 9"


@pytest.fixture
def secret_thread():
    thread = ThreadFactory(
        board=board("episode-9"),
        title=SECRET_TITLE,
        body=f"Opening post with the {SECRET_BODY} in it.",
    )
    reply(thread, body="A reply that spoils episode 9 too.")
    return thread


def pages(thread):
    return {
        "board list": reverse("threads:board_list"),
        "board page": thread.board.get_absolute_url(),
        "thread page": thread.get_absolute_url(),
    }


def page_title(response):
    return re.search(r"<title>(.*?)</title>", response.text, re.S).group(1)


def assert_gated(response):
    assert SECRET_TITLE.encode() not in response.content
    assert SECRET_BODY.encode() not in response.content
    assert LABEL in response.text
    assert SECRET_TITLE not in page_title(response)


def assert_shown(response, *, body=True):
    assert SECRET_TITLE.encode() in response.content
    if body:
        assert SECRET_BODY.encode() in response.content


@pytest.mark.parametrize("page", ["board list", "board page", "thread page"])
def test_member_behind_on_episodes_gets_neither_title_nor_body(client, secret_thread, page):
    client.force_login(UserFactory(watched_up_to=3))
    assert_gated(client.get(pages(secret_thread)[page]))


def test_gated_thread_page_uses_only_the_label_in_its_head(client, secret_thread):
    client.force_login(UserFactory(watched_up_to=3))

    response = client.get(secret_thread.get_absolute_url())

    head = response.text[: response.text.index("</head>")]
    assert SECRET_TITLE not in head
    assert page_title(response).startswith(LABEL)
    assert f'<meta name="description" content="{LABEL}">' in head
    assert f'<meta property="og:title" content="{LABEL}">' in head
    assert f'<h1 class="thread-header__title thread-header__title--gated">{LABEL}</h1>' in (
        response.text
    )
    reveal = f'form="spoiler-reveal" name="reveal" value="t{secret_thread.pk}#thread-'
    assert reveal in response.text


def test_revealing_the_thread_shows_it_and_its_comments(client, secret_thread):
    client.force_login(UserFactory(watched_up_to=3))

    response = client.get(revealing(client, secret_thread.get_absolute_url(), secret_thread))

    assert_shown(response)
    assert "A reply that spoils episode 9 too." in response.text
    assert SECRET_TITLE in page_title(response)


def test_revealing_a_thread_in_a_list_shows_only_that_title(client, secret_thread):
    other = ThreadFactory(board=board("episode-9"), title="Another hidden title")
    client.force_login(UserFactory(watched_up_to=3))
    board_page = secret_thread.board.get_absolute_url()

    for url in [reverse("threads:board_list"), board_page]:
        response = client.get(revealing(client, url, secret_thread))
        assert "Another hidden title" not in response.text
    # The board list shows only the latest thread; the board page shows both.
    assert SECRET_TITLE in client.get(revealing(client, board_page, secret_thread)).text
    latest = client.get(revealing(client, reverse("threads:board_list"), other))
    assert "Another hidden title" in latest.text


def test_reader_who_watched_the_episode_sees_everything(client, secret_thread):
    client.force_login(UserFactory(watched_up_to=9))
    for page, url in pages(secret_thread).items():
        response = client.get(url)
        assert_shown(response, body=page == "thread page")
        assert LABEL not in response.text


def test_anonymous_visitor_progress_comes_from_the_session(client, secret_thread):
    for url in pages(secret_thread).values():
        assert_gated(client.get(url))

    watch_up_to(client, 9)

    for page, url in pages(secret_thread).items():
        assert_shown(client.get(url), body=page == "thread page")


def test_later_spoiler_stays_gated_after_revealing_the_thread(client, secret_thread):
    """Revealing the thread accepts episode 9; a comment spoiling 11 stays gated."""
    reply(secret_thread, body="Episode eleven twist Z", spoils_episode=11)
    client.force_login(UserFactory(watched_up_to=3))

    response = client.get(revealing(client, secret_thread.get_absolute_url(), secret_thread))

    assert_shown(response)
    assert "Episode eleven twist Z" not in response.text
    assert "Spoiler for episode 11" in response.text


def test_opening_post_raised_beyond_the_title_is_left_out_of_the_description(client):
    thread = ThreadFactory(board=board("episode-2"), title="A harmless title", body="Plain.")
    opener = thread.comments.get()
    edit_comment(
        comment=opener, editor=thread.author, body="The ending: secret body Y", spoils_episode=12
    )
    client.force_login(UserFactory(watched_up_to=5))

    response = client.get(thread.get_absolute_url())

    assert "A harmless title" in page_title(response)
    assert SECRET_BODY.encode() not in response.content
    assert '<meta name="description" content="Spoiler for episode 12">' in response.text


def test_spoils_badge_and_general_board_threads(client):
    ThreadFactory(board=board("general"), title="Spoiler-free chat")
    ThreadFactory(board=board("general"), title="Finale talk", spoils_episode=12)
    client.force_login(UserFactory(watched_up_to=0))

    response = client.get(board("general").get_absolute_url())

    assert "Spoiler-free chat" in response.text
    assert "Finale talk" not in response.text
    assert "Spoiler for episode 12" in response.text
