"""A write on one board replaces that board's lists and the site-wide ones, and
leaves the other boards' pages cached (fansite/threads/scopes.py; docs/caching.md,
"Precise invalidation")."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from fansite.moderation import services as moderation
from fansite.threads.models import Thread
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Secret title of the ninth episode heron-5521"
SECRET_REPLY = "Secret reply of the ninth episode crane-0937"


def reader(progress):
    client = Client()
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": progress}, follow=True)
    return client


def board_url(slug):
    return reverse("threads:board_detail", args=[slug])


def episode_url(number):
    return reverse("episodes:episode_detail", args=[number])


HOME = reverse("articles:article_list")
BOARDS = reverse("threads:board_list")


def answer(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response["X-Page-Cache"], response.content.decode()


def fill(client, *urls):
    for url in urls:
        for _attempt in range(3):
            if answer(client, url)[0] == "hit":
                break
        else:
            raise AssertionError(f"{url} never came from the cache")


def test_a_comment_replaces_its_boards_lists_and_leaves_the_others():
    ninth = ThreadFactory(board=board("episode-9"))
    ThreadFactory(board=board("episode-3"))
    client = reader(12)
    pages = [board_url("episode-9"), episode_url(9), board_url("episode-3"), episode_url(3)]
    fill(client, HOME, BOARDS, *pages)

    reply(ninth)

    assert answer(client, board_url("episode-9"))[0] == "miss"
    assert answer(client, episode_url(9))[0] == "miss"
    assert answer(client, HOME)[0] == "miss"
    assert answer(client, BOARDS)[0] == "miss"
    assert answer(client, board_url("episode-3"))[0] == "hit"
    assert answer(client, episode_url(3))[0] == "hit"


def test_the_board_page_shows_the_new_reply_count_at_once():
    thread = ThreadFactory(board=board("general"))
    client = reader(12)
    fill(client, board_url("general"))
    reply(thread)
    reply(thread)
    state, html = answer(client, board_url("general"))
    assert state == "miss"
    assert "2 replies" in html


def test_a_thread_moved_by_saving_it_leaves_both_boards():
    thread = ThreadFactory(board=board("general"), title="A thread that moves")
    client = reader(12)
    fill(client, board_url("general"), board_url("theories"), board_url("site-feedback"))

    thread.board = board("theories")
    thread.save()

    state, html = answer(client, board_url("general"))
    assert state == "miss"
    assert "A thread that moves" not in html
    state, html = answer(client, board_url("theories"))
    assert state == "miss"
    assert "A thread that moves" in html
    assert answer(client, board_url("site-feedback"))[0] == "hit"


def test_a_thread_moved_by_a_moderator_leaves_both_boards():
    thread = ThreadFactory(board=board("general"), title="A thread a moderator moves")
    moderator = UserFactory(is_staff=True, is_superuser=True)
    client = reader(12)
    fill(client, board_url("general"), board_url("theories"))

    moderation.move_thread(thread=thread, board=board("theories"), moderator=moderator)

    assert "A thread a moderator moves" not in answer(client, board_url("general"))[1]
    assert "A thread a moderator moves" in answer(client, board_url("theories"))[1]


def test_saving_a_thread_without_moving_it_asks_only_for_its_board():
    thread = ThreadFactory(board=board("general"))
    client = reader(12)
    fill(client, board_url("general"), board_url("theories"))
    thread.title = "A better title"
    thread.save(update_fields=["title"])
    state, html = answer(client, board_url("general"))
    assert state == "miss"
    assert "A better title" in html
    assert answer(client, board_url("theories"))[0] == "hit"


def test_a_new_spoiler_thread_reaches_only_readers_who_have_watched_it():
    """The spoiler rule on the board's freshly replaced lists: a thread and a
    reply at episode 9 on a general board."""
    early, caught_up = reader(3), reader(12)
    url = board_url("general")
    fill(early, url, HOME, board_url("theories"))
    fill(caught_up, url, HOME, board_url("theories"))

    thread = ThreadFactory(board=board("general"), title=SECRET_TITLE, spoils_episode=9)
    reply(thread, body=SECRET_REPLY, spoils_episode=9)

    for page in (url, HOME):
        state, html = answer(early, page)
        assert state == "miss"
        assert SECRET_TITLE not in html
        assert SECRET_REPLY not in html
        state, html = answer(caught_up, page)
        assert state == "miss"
        assert SECRET_TITLE in html
    assert answer(early, board_url("theories"))[0] == "hit"
    assert Thread.objects.filter(title=SECRET_TITLE).exists()


def test_an_address_no_board_can_have_keeps_no_long_key():
    from fansite.threads.scopes import board_scope

    assert board_scope("a" * 100) == f"board:{'a' * 100}"
    assert board_scope("a" * 101) == "board:*"
    response = Client().get(board_url("a" * 5000))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("slug", ["general", "episode-4"])
def test_a_thread_loaded_with_its_board_names_the_scopes_without_a_query(
    slug, django_assert_num_queries
):
    from fansite.threads.scopes import of_thread

    thread = ThreadFactory(board=board(slug))
    loaded = Thread.objects.select_related("board__episode").get(pk=thread.pk)
    with django_assert_num_queries(0):
        scopes = of_thread(loaded)
    with django_assert_num_queries(1):
        assert of_thread(thread.pk) == scopes
    if slug == "episode-4":
        assert scopes == ("board:episode-4", "episode-threads:4")
    else:
        assert scopes == ("board:general",)


def test_a_comment_posted_through_the_site_leaves_the_other_boards():
    thread = ThreadFactory(board=board("episode-4"))
    poster = UserFactory(watched_up_to=12)
    client = reader(12)
    fill(client, board_url("episode-4"), board_url("episode-5"), episode_url(4))
    writer = Client()
    writer.force_login(poster)
    response = writer.post(
        reverse("comments:comment_create", args=["thread", thread.pk]),
        {"body": "Posted through the form."},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert answer(client, board_url("episode-4"))[0] == "miss"
    assert answer(client, episode_url(4))[0] == "miss"
    assert answer(client, board_url("episode-5"))[0] == "hit"
