"""Issue 13, item 4: where the board says nothing, a new thread spoils as far as its
author has watched unless they say otherwise.

A thread on a board without an episode (General discussion, Theories, Site feedback)
used to default to "No spoilers": a member who had finished the series and left the
field alone spoiled everyone. Now the form pre-selects the author's progress, "No
spoilers" is an explicit choice, and a missing field gets the same default on the
server. Episode boards still default to their episode.
"""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.comments.services import start_thread
from fansite.episodes.models import Episode
from fansite.threads.models import Thread
from tests.users.factories import UserFactory

from .factories import board

pytestmark = pytest.mark.django_db

TITLE = "So that is how it ends lemur-4021"
BODY = "The last scene on the roof heron-8810"


def create_url(slug):
    return reverse("threads:thread_create", args=[slug])


def spoiler_select(response):
    select = re.search(r'<select name="spoils_episode"[^>]*>(.*?)</select>', response.text, re.S)
    assert select, "no spoils-up-to select"
    return select.group(1)


def options(response):
    return re.findall(r'<option value="([^"]*)"', spoiler_select(response))


def selected(response):
    return re.findall(r'<option value="([^"]*)" selected>', spoiler_select(response))


def assert_gated_for_early_readers(client, thread, secrets=(TITLE, BODY)):
    urls = {
        "board": thread.board.get_absolute_url(),
        "thread": thread.get_absolute_url(),
        "home": reverse("articles:article_list"),
        "board list": reverse("threads:board_list"),
        "profile": reverse("users:profile_detail", kwargs={"username": thread.author.username}),
        "opening post permalink": None,
    }
    client.force_login(UserFactory(watched_up_to=3))
    opener = thread.comments.get()
    for name, url in urls.items():
        response = (
            client.get(opener.get_absolute_url(), follow=True) if url is None else client.get(url)
        )
        assert response.status_code == HTTPStatus.OK, name
        for secret in secrets:
            assert secret not in response.text, f"{secret!r} leaked on the {name} page"
    # Positive control: a reader who has watched as far sees the thread.
    client.force_login(UserFactory(watched_up_to=thread.spoiler_level))
    page = client.get(thread.get_absolute_url())
    for secret in secrets:
        assert secret in page.text


def test_general_board_preselects_the_authors_progress(client):
    client.force_login(UserFactory(watched_up_to=12))

    response = client.get(create_url("general"))

    assert options(response) == ["0", *(str(n) for n in range(1, 13))]
    assert selected(response) == ["12"]
    assert '<option value="0">No spoilers</option>' in response.text


def test_member_who_has_watched_nothing_gets_no_spoilers_preselected(client):
    client.force_login(UserFactory(watched_up_to=0))

    response = client.get(create_url("theories"))

    assert selected(response) == ["0"]


def test_finished_author_who_leaves_the_field_alone_spoils_nobody(client):
    author = UserFactory(watched_up_to=12)
    client.force_login(author)
    form = client.get(create_url("general"))
    (preselected,) = selected(form)

    # What the browser sends for the untouched form.
    response = client.post(
        create_url("general"), {"title": TITLE, "body": BODY, "spoils_episode": preselected}
    )

    assert response.status_code == HTTPStatus.FOUND
    thread = Thread.objects.get()
    assert thread.spoiler_level == 12
    assert_gated_for_early_readers(client, thread)


def test_missing_field_is_not_no_spoilers(client):
    client.force_login(UserFactory(watched_up_to=10))

    response = client.post(create_url("site-feedback"), {"title": TITLE, "body": BODY})

    assert response.status_code == HTTPStatus.FOUND
    thread = Thread.objects.get()
    assert thread.spoiler_level == 10
    assert_gated_for_early_readers(client, thread)


def test_no_spoilers_is_still_an_explicit_choice(client):
    client.force_login(UserFactory(watched_up_to=12))

    client.post(create_url("general"), {"title": TITLE, "body": BODY, "spoils_episode": "0"})

    thread = Thread.objects.get()
    assert thread.spoiler_level is None
    client.force_login(UserFactory(watched_up_to=0))
    assert TITLE in client.get(thread.board.get_absolute_url()).text


@pytest.mark.usefixtures("relaxed_posting_limits")
def test_service_defaults_to_the_authors_progress_only_where_the_board_says_nothing():
    author = UserFactory(watched_up_to=11)

    general = start_thread(board=board("general"), author=author, title="A", body="One.")
    episode = start_thread(board=board("episode-5"), author=author, title="B", body="Two.")
    fresh = start_thread(
        board=board("theories"), author=UserFactory(watched_up_to=0), title="C", body="Three."
    )
    explicit = start_thread(
        board=board("general"), author=author, title="D", body="Four.", spoils_episode=0
    )

    assert general.spoiler_level == 11
    assert episode.spoiler_level == 5
    assert fresh.spoiler_level is None
    assert explicit.spoiler_level is None


def test_episode_board_still_defaults_to_its_episode(client):
    client.force_login(UserFactory(watched_up_to=12))

    response = client.get(create_url("episode-9"))

    assert options(response) == ["9", "10", "11", "12"]
    assert selected(response) == ["9"]


def test_choices_are_labelled_with_episode_titles(client):
    Episode.objects.filter(position=7).update(title="The Rooftop")
    # update() sends no signal: save() is what editors do in the admin.
    Episode.objects.get(position=7).save()
    client.force_login(UserFactory(watched_up_to=12))

    thread_form = client.get(create_url("episode-5")).text
    assert '<option value="7">Episode 7 — The Rooftop</option>' in thread_form
    # Episodes whose title is only their number are not labelled twice.
    assert '<option value="8">Episode 8</option>' in thread_form

    thread = start_thread(board=board("episode-5"), author=UserFactory(), title="T", body="B.")
    page = client.get(thread.get_absolute_url()).text
    compose = spoiler_select_in(page)
    assert "Episode 7 — The Rooftop" in compose
    # Nothing below the thread's episode, which comes first.
    assert re.findall(r'<option value="([^"]*)"', compose) == [str(n) for n in range(5, 13)]
    general = start_thread(
        board=board("general"), author=UserFactory(), title="G", body="No spoilers here."
    )
    compose = spoiler_select_in(client.get(general.get_absolute_url()).text)
    assert re.findall(r'<option value="([^"]*)"', compose) == ["", *(str(n) for n in range(1, 13))]
    assert '<option value="" selected>No spoilers</option>' in compose


def spoiler_select_in(page):
    select = re.search(r'<select name="spoils_episode"[^>]*>(.*?)</select>', page, re.S)
    assert select, "no spoils-up-to select"
    return select.group(1)
