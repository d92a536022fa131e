"""The home page's latest discussions and a member's posts on their profile."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from fansite.comments.services import post_comment, remove_comment, start_thread
from fansite.threads.models import Board, Thread
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_threads(count, author, board_slug="general"):
    board = Board.objects.get(slug=board_slug)
    now = timezone.now()
    threads = []
    for number in range(count):
        thread = start_thread(board=board, author=author, title=f"Topic {number:02}", body="Hi.")
        # Later numbers were active more recently.
        Thread.objects.filter(pk=thread.pk).update(
            last_activity_at=now - timedelta(minutes=count - number)
        )
        threads.append(thread)
    return threads


def latest_section(html):
    start = html.index('<section class="latest-discussions"')
    return html[start : html.index("</section>", start)]


@pytest.mark.usefixtures("relaxed_posting_limits")
def test_home_lists_the_ten_most_recently_active_threads(client):
    author = UserFactory()
    threads = make_threads(12, author)
    post_comment(target=threads[3], author=author, body="A reply brings it back up.")
    post_comment(target=threads[3], author=author, body="And another.")

    section = latest_section(client.get(reverse("articles:article_list")).text)

    titles = [f"Topic {n:02}" for n in (3, 11, 10, 9, 8, 7, 6, 5, 4, 2)]
    positions = [section.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "Topic 01" not in section
    assert "Topic 00" not in section
    assert "2 replies" in section
    assert "General discussion" in section
    assert f'href="{threads[3].get_absolute_url()}"' in section


def test_home_says_when_there_are_no_discussions(client):
    section = latest_section(client.get(reverse("articles:article_list")).text)

    assert "No discussions yet." in section
    assert f'href="{reverse("threads:board_list")}"' in section


@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("count", [1, 30])
def test_home_queries_do_not_grow_with_threads(client, django_assert_max_num_queries, count):
    make_threads(count, UserFactory())
    client.get(reverse("articles:article_list"))  # caches the header's episode list

    with django_assert_max_num_queries(4):
        response = client.get(reverse("articles:article_list"))

    assert response.status_code == HTTPStatus.OK


def test_profile_lists_the_members_threads_and_comments(client):
    member = UserFactory(username="writer")
    own = start_thread(
        board=Board.objects.get(slug="episode-1"), author=member, title="My own topic", body="Hi."
    )
    elsewhere = start_thread(
        board=Board.objects.get(slug="general"), author=UserFactory(), title="Their topic", body="."
    )
    reply = post_comment(target=elsewhere, author=member, body="**Bold** words and >!hidden!<.")
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": 1})

    html = client.get(member.get_absolute_url()).text

    assert "Threads</h2>" in html
    assert f'<a href="{own.get_absolute_url()}">My own topic</a>' in html
    assert "Episode 1</a>" in html  # its board
    assert "Their topic" not in html
    assert "Comments</h2>" in html
    # Spoiler-free excerpts, linking to the comments' permalinks.
    assert "Bold words and [spoiler]." in html
    assert ">hidden" not in html
    assert f'href="{reply.get_absolute_url()}"' in html


def test_profile_leaves_out_removed_comments(client):
    member = UserFactory()
    [thread] = make_threads(1, UserFactory())
    kept = post_comment(target=thread, author=member, body="Still here")
    gone = post_comment(target=thread, author=member, body="Taken back")
    remove_comment(comment=gone, user=member)

    html = client.get(member.get_absolute_url()).text

    assert "Still here" in html
    assert "Taken back" not in html
    assert f'href="{kept.get_absolute_url()}"' in html
    assert f'href="{gone.get_absolute_url()}"' not in html


def test_profile_of_a_member_who_posted_nothing_has_no_post_sections(client):
    html = client.get(UserFactory().get_absolute_url()).text

    assert "Threads</h2>" not in html
    assert "Comments</h2>" not in html


@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("count", [1, 25])
def test_profile_queries_do_not_grow_with_posts(client, django_assert_max_num_queries, count):
    member = UserFactory()
    threads = make_threads(count, member, "episode-3")
    for thread in threads:
        post_comment(target=thread, author=member, body="A reply.")
    client.get(member.get_absolute_url())  # caches the header's episode list

    with django_assert_max_num_queries(5):
        response = client.get(member.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
