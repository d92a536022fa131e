import datetime
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from fansite.threads.models import Thread

from .factories import ThreadFactory, board, reply

pytestmark = pytest.mark.django_db


def section(html, heading_id):
    """The HTML of one board-list section, found by its heading id."""
    match = re.search(
        rf'<section class="board-section" aria-labelledby="{heading_id}">(.*?)</section>',
        html,
        re.S,
    )
    assert match, f"no section {heading_id}"
    return match.group(1)


def board_row(html, slug):
    match = re.search(rf'<tr id="board-{slug}">(.*?)</tr>', html, re.S)
    assert match, f"no row for board {slug}"
    return match.group(1)


def cell_numbers(row):
    return [int(n) for n in re.findall(r'<td class="align-right"[^>]*>(\d+)</td>', row)]


def thread_titles(response):
    return re.findall(r'<a class="thread-row__title" href="[^"]+">([^<]+)</a>', response.text)


def test_board_list_groups_episode_boards_by_season_then_general(client):
    response = client.get(reverse("threads:board_list"))

    assert response.status_code == HTTPStatus.OK
    html = response.text
    season_start = html.index(">Season 1</h2>")
    general_start = html.index(">General</h2>")
    assert season_start < general_start
    season = html[season_start:general_start]
    titles = re.findall(r'class="board-table__title" href="([^"]+)">([^<]+)<', season)
    assert [title for _url, title in titles] == [f"Episode {n}" for n in range(1, 13)]
    assert titles[8][0] == reverse("threads:board_detail", args=["episode-9"])
    general = html[general_start:]
    assert "General discussion" in general
    assert "Theories" in general
    assert "Site feedback" in general
    assert "Episode 1<" not in general


def test_board_list_counts_and_latest_activity_follow_posts(caught_up_client):
    client = caught_up_client
    before = board_row(client.get(reverse("threads:board_list")).text, "episode-4")
    assert cell_numbers(before) == [0, 0]
    assert "No threads yet" in before

    older = ThreadFactory(board=board("episode-4"), title="The principal was right")
    reply(older)
    ThreadFactory(board=board("episode-4"), title="The library scene")
    reply(older, body="Back to this one.")

    row = board_row(client.get(reverse("threads:board_list")).text, "episode-4")
    # 2 threads; 2 opening posts + 2 replies.
    assert cell_numbers(row) == [2, 4]
    # The latest activity is the reply in the older thread.
    assert "The principal was right" in row
    assert "The library scene" not in row
    assert older.get_absolute_url() in row


@pytest.mark.parametrize("threads_per_board", [0, 3])
def test_board_list_query_count_is_constant(
    client, django_assert_max_num_queries, threads_per_board
):
    for slug in ["episode-1", "episode-9", "general", "theories"]:
        ThreadFactory.create_batch(threads_per_board, board=board(slug))
    with django_assert_max_num_queries(3):
        response = client.get(reverse("threads:board_list"))
    assert response.status_code == HTTPStatus.OK


def test_board_page_lists_pinned_first_then_latest_activity(caught_up_client):
    client = caught_up_client
    now = timezone.now()
    episode_board = board("episode-2")
    for title, hours_ago, pinned in [
        ("Quiet old thread", 30, False),
        ("Busy thread", 1, False),
        ("Rules of this board", 100, True),
        ("Middle thread", 5, False),
    ]:
        thread = ThreadFactory(board=episode_board, title=title, is_pinned=pinned)
        Thread.objects.filter(pk=thread.pk).update(
            last_activity_at=now - datetime.timedelta(hours=hours_ago)
        )

    response = client.get(episode_board.get_absolute_url())

    assert thread_titles(response) == [
        "Rules of this board",
        "Busy thread",
        "Middle thread",
        "Quiet old thread",
    ]
    assert response.text.count('<li class="badge">Pinned</li>') == 1


def test_a_reply_moves_a_thread_up_its_board(client):
    general = board("general")
    first = ThreadFactory(board=general, title="First thread")
    ThreadFactory(board=general, title="Second thread")
    assert thread_titles(client.get(general.get_absolute_url())) == [
        "Second thread",
        "First thread",
    ]

    reply(first)

    assert thread_titles(client.get(general.get_absolute_url())) == [
        "First thread",
        "Second thread",
    ]


def test_board_page_paginates(client, settings):
    settings.THREADS_PER_PAGE = 2
    theories = board("theories")
    for number in range(5):
        ThreadFactory(board=theories, title=f"Theory {number}")

    first = client.get(theories.get_absolute_url())
    assert thread_titles(first) == ["Theory 4", "Theory 3"]
    assert f'href="{theories.get_absolute_url()}?page=2" rel="next"' in first.text

    last = client.get(theories.get_absolute_url(), {"page": 3})
    assert thread_titles(last) == ["Theory 0"]
    assert '<span aria-current="page">3</span>' in last.text

    beyond = client.get(theories.get_absolute_url(), {"page": 99})
    assert thread_titles(beyond) == ["Theory 0"]


def test_board_page_shows_badges_and_thread_facts(caught_up_client):
    client = caught_up_client
    episode_board = board("episode-9")
    ThreadFactory(board=episode_board, title="Locked talk", is_locked=True)
    later = ThreadFactory(board=episode_board, title="Looking ahead", spoils_episode=11)
    reply(later)
    reply(later)

    response = client.get(episode_board.get_absolute_url())

    assert '<li class="badge">Locked</li>' in response.text
    assert response.text.count("Spoils up to episode 11") == 1
    assert "Spoils up to episode 9" not in response.text
    assert "2 replies" in response.text
    assert later.author.public_name in response.text
    assert reverse("threads:thread_create", args=["episode-9"]) in response.text


def test_unknown_board_is_not_found(client):
    response = client.get(reverse("threads:board_detail", args=["episode-99"]))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("count", [1, 50])
def test_board_page_query_count_is_constant(
    caught_up_client, django_assert_max_num_queries, settings, count
):
    client = caught_up_client
    episode_board = board("episode-3")
    ThreadFactory.create_batch(count, board=episode_board)
    with django_assert_max_num_queries(4):
        response = client.get(episode_board.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert len(thread_titles(response)) == min(count, settings.THREADS_PER_PAGE)


def test_header_links_to_the_boards(client):
    response = client.get(reverse("threads:board_list"))
    assert re.search(
        rf'<a href="{reverse("threads:board_list")}" aria-current="page">Boards</a>',
        response.text,
    )


def test_episode_guide_links_each_episode_to_its_board(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get(reverse("episodes:episode_list"))
    for number in range(1, 13):
        assert f'href="{reverse("threads:board_detail", args=[f"episode-{number}"])}"' in (
            response.text
        )
