"""The first-visit question, "How far have you watched?": a panel above the content
of every page until the reader answers or says "Not now"."""

import re
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fansite.episodes.models import Episode
from fansite.spoilers.readers import CHOSEN_SESSION_KEY, SESSION_KEY
from tests.threads.factories import ThreadFactory, board
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

PANEL = '<section class="first-visit"'
PROGRESS_URL = reverse("spoilers:progress_update")


def panel(html):
    """The panel's HTML, or None when the page does not ask."""
    if PANEL not in html:
        return None
    start = html.index(PANEL)
    return html[start : html.index("</section>", start)]


def answer(client, value, next_url="/"):
    return client.post(PROGRESS_URL, {"watched_up_to": value, "next": next_url})


def dismiss(client, next_url="/"):
    return client.post(PROGRESS_URL, {"dismiss": "1", "next": next_url})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "url", ["/", "/boards/", "/boards/episode-3/", "/episodes/3/", "/accounts/login/"]
)
def test_a_first_time_visitor_is_asked_on_every_page(client, url):
    html = client.get(url).text

    asked = panel(html)
    assert asked is not None
    assert 'aria-labelledby="first-visit-title"' in asked
    assert ">How far have you watched?</h2>" in asked
    # Inside <main>, before the page's own content.
    assert html.index('<main id="main"') < html.index(PANEL)


def test_the_panel_offers_one_button_per_answer(client):
    asked = panel(client.get("/").text)

    assert f'action="{PROGRESS_URL}"' in asked
    assert 'name="csrfmiddlewaretoken"' in asked
    assert '<input type="hidden" name="next" value="/">' in asked
    values = re.findall(r'<button type="submit"[^>]* name="watched_up_to" value="(\d+)"', asked)
    # "I haven't started", episodes 1 to 12, "I've finished season 1".
    assert values == ["0", *(str(n) for n in range(1, 13)), "12"]
    assert "I haven't started" in asked
    assert "I've finished season 1" in asked
    assert re.search(r'<button type="submit"[^>]* name="dismiss" value="1">Not now</button>', asked)


def test_the_panel_names_episodes_by_their_titles_where_editors_set_them(client):
    episode = Episode.objects.get(position=4)
    episode.title = "The Rooftop"
    episode.save()

    asked = panel(client.get("/").text)

    assert "Episode 4" in asked
    assert " — The Rooftop" in asked
    assert " — Episode 5" not in asked  # the seeded titles say no more than the number


def test_answering_saves_the_progress_and_returns_to_the_page_without_the_panel(client):
    response = answer(client, 3, next_url="/boards/?page=1")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/boards/?page=1"
    assert client.session[SESSION_KEY] == 3
    assert messages_of(response) == ["Spoilers are now hidden beyond episode 3."]
    assert panel(client.get("/boards/").text) is None
    assert panel(client.get("/").text) is None


def test_the_home_page_then_shows_titles_up_to_that_episode(client, relaxed_posting_limits):
    ThreadFactory(board=board("episode-3"), title="Hospital stairwell plan")
    ThreadFactory(board=board("episode-9"), title="SECRET: who survives the gym")
    before = client.get("/").text
    assert "Hospital stairwell plan" not in before
    assert "SECRET" not in before

    answer(client, 3)
    after = client.get("/").text

    assert "Hospital stairwell plan" in after
    assert "SECRET" not in after
    assert "Spoiler for episode 9" in after


def test_not_now_hides_the_panel_and_keeps_the_progress(client):
    assert panel(client.get("/").text) is not None

    response = dismiss(client, next_url="/boards/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/boards/"
    assert SESSION_KEY not in client.session
    assert client.session[CHOSEN_SESSION_KEY] is True
    assert "We won't ask again" in messages_of(response)[0]
    assert panel(client.get("/boards/").text) is None
    assert 'value="0" selected' in client.get("/").text


def test_a_member_is_asked_until_they_answer_and_it_is_remembered(client):
    member = UserFactory(watched_up_to=0)
    assert member.progress_chosen_at is None
    client.force_login(member)
    assert panel(client.get("/").text) is not None

    answer(client, 6)

    member.refresh_from_db()
    assert member.watched_up_to == 6
    assert member.progress_chosen_at is not None
    # On every device: a new session is not asked either.
    other = Client()
    other.force_login(member)
    assert panel(other.get("/").text) is None


def test_a_member_who_says_not_now_stays_at_nothing_yet(client):
    member = UserFactory(watched_up_to=0)
    client.force_login(member)

    dismiss(client)

    member.refresh_from_db()
    assert member.watched_up_to == 0
    assert member.progress_chosen_at is not None
    assert panel(client.get("/").text) is None


def test_a_member_who_saved_a_progress_before_the_question_existed_is_not_asked(client):
    member = UserFactory(watched_up_to=4)
    assert member.progress_chosen_at is None
    client.force_login(member)

    assert panel(client.get("/").text) is None


@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_ive_watched_episode_n_counts_as_an_answer(client, kind):
    if kind == "member":
        client.force_login(UserFactory())
    assert panel(client.get("/").text) is not None

    client.post(reverse("spoilers:episode_watched"), {"episode": 5, "next": "/"})

    assert panel(client.get("/").text) is None


def test_the_pages_that_ask_themselves_do_not_show_the_panel(client):
    assert panel(client.get(PROGRESS_URL).text) is None
    # Sign-up asks as its last step.
    signup = client.get(reverse("account_signup")).text
    assert panel(signup) is None
    assert "The last step asks how far you have watched" in signup


def test_a_bad_answer_is_refused_and_changes_nothing(client):
    response = answer(client, 99)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert SESSION_KEY not in client.session
    assert panel(client.get("/").text) is not None


def test_answering_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.get("/")

    response = answer(client, 3)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert panel(client.get("/").text) is not None


def test_answering_never_leaves_the_site(client):
    response = answer(client, 3, next_url="https://elsewhere.example/")

    assert response["Location"] == "/"


@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_the_page_cache_keeps_asking_and_answered_readers_apart(client, kind):
    """A page stored with the panel is never served to a reader who answered, nor
    one without it to a reader who has not."""
    if kind == "member":
        client.force_login(UserFactory())
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    assert panel(first.text) is not None
    assert client.get("/")["X-Page-Cache"] == "hit"

    dismiss(client)
    client.get("/")  # says "We won't ask again" (pages with messages are not stored)
    after = client.get("/")

    assert after["X-Page-Cache"] == "miss"
    assert panel(after.text) is None
    # Another visitor at the same progress who has not answered still gets the
    # question (for visitors, the page stored above).
    other = Client()
    assert panel(other.get("/").text) is not None


@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_asking_costs_no_queries(client, kind):
    if kind == "member":
        client.force_login(UserFactory())
    client.get("/")  # caches the header's episode list
    # ?fresh=1: a parameter the page cache does not know, so the page is rendered.
    with CaptureQueriesContext(connection) as asking:
        assert panel(client.get("/?fresh=1").text) is not None
    dismiss(client)
    with CaptureQueriesContext(connection) as answered:
        assert panel(client.get("/?fresh=1").text) is None

    assert len(asking) == len(answered)
