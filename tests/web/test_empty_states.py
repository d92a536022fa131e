"""Empty states that help: where a list is empty the page says what will be there and
offers the next step, rather than a blank space or a bare "nothing"."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from fansite.articles.models import Article
from tests.articles.factories import TagFactory
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response.text


def logged_in(member):
    client = Client()
    client.force_login(member)
    return client


def test_a_new_members_own_profile_points_to_the_boards_and_settings():
    member = UserFactory(username="onjo")

    html = page(logged_in(member), member.get_absolute_url())

    assert "You haven't posted yet" in html
    assert f'href="{reverse("threads:board_list")}">Pick a board</a>' in html
    assert f'href="{reverse("episodes:episode_list")}">episode page</a>' in html
    assert f'href="{reverse("users:profile_edit")}">Add a picture' in html


def test_someone_elses_empty_profile_says_so_without_the_newcomer_tips(client):
    member = UserFactory(username="onjo", display_name="Nam On-jo")

    for viewer in (client, logged_in(UserFactory())):
        html = page(viewer, member.get_absolute_url())
        assert "Nam On-jo hasn't posted anything yet." in html
        assert "You haven't posted yet" not in html


def test_a_profile_with_posts_has_no_empty_state(client):
    member = UserFactory(username="onjo")
    ThreadFactory(author=member, title="Archery club reunion")

    for viewer in (client, logged_in(member)):
        html = page(viewer, member.get_absolute_url())
        assert "Archery club reunion" in html
        assert "hasn't posted" not in html
        assert "You haven't posted yet" not in html


def test_an_empty_board_invites_the_first_thread(client):
    html = page(client, board("episode-4").get_absolute_url())

    assert "No threads on this board yet." in html
    assert "what you thought of Episode 4" in html
    start = reverse("threads:thread_create", args=["episode-4"])
    assert f'<a class="button" href="{start}">Start the first thread</a>' in html


def test_a_board_with_threads_has_no_empty_state(client):
    ThreadFactory(board=board("general"), title="Hello from Hyosan")

    html = page(client, board("general").get_absolute_url())

    assert "Hello from Hyosan" in html
    assert "No threads on this board yet." not in html


def test_an_episode_page_without_threads_offers_to_start_one(client):
    html = page(client, reverse("episodes:episode_detail", args=[5]))

    assert "No threads yet." in html
    assert "Be the first to start one about Episode 5" in html
    assert f'href="{reverse("threads:thread_create", args=["episode-5"])}"' in html


def test_the_board_list_offers_to_start_a_thread_on_an_empty_board(client):
    reply(ThreadFactory(board=board("episode-1")))

    html = page(client, reverse("threads:board_list"))

    assert f'href="{reverse("threads:thread_create", args=["episode-2"])}"' in html
    assert f'href="{reverse("threads:thread_create", args=["episode-1"])}"' not in html


def test_a_tag_without_articles_points_elsewhere(client):
    tag = TagFactory(name="Webtoon")

    html = page(client, tag.get_absolute_url())

    assert "No articles with this tag yet." in html
    assert f'href="{reverse("articles:article_list")}">See all articles</a>' in html
    assert f'href="{reverse("threads:board_list")}">Talk about it on the boards</a>' in html


def test_a_home_page_without_articles_sends_readers_to_the_boards(client):
    Article.objects.all().delete()

    html = page(client, reverse("articles:article_list"))

    assert "No articles yet." in html
    assert f'<a class="button" href="{reverse("threads:board_list")}">Go to the boards</a>' in html
