"""Reading progress: "I've watched up to episode N", from any page."""

from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fansite.episodes.models import Episode
from fansite.spoilers.readers import SESSION_KEY

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PROGRESS_URL = "/progress/"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def selected_option(html):
    """The value of the header selector's selected option."""
    form = html[html.index('<form class="progress-selector"') :]
    form = form[: form.index("</form>")]
    marker = form.index(" selected>")
    return form[form.rindex('value="', 0, marker) + len('value="') : marker - 1]


def test_the_endpoint_is_at_progress():
    assert reverse("spoilers:progress_update") == PROGRESS_URL


def test_a_member_sets_their_progress_on_their_profile(client):
    member = UserFactory()
    client.force_login(member)

    response = client.post(PROGRESS_URL, {"watched_up_to": "7", "next": "/boards/?page=2"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/boards/?page=2"
    member.refresh_from_db()
    assert member.watched_up_to == 7
    assert messages_of(response) == ["Spoilers are now hidden beyond episode 7."]


def test_a_visitor_sets_their_progress_in_the_session(client):
    response = client.post(PROGRESS_URL, {"watched_up_to": "3", "next": "/"})

    assert response.status_code == HTTPStatus.FOUND
    assert client.session[SESSION_KEY] == 3
    assert selected_option(client.get("/").text) == "3"


def test_progress_follows_the_member_across_sessions(client):
    member = UserFactory()
    client.force_login(member)
    client.post(PROGRESS_URL, {"watched_up_to": "5"})

    other_browser = Client()
    other_browser.force_login(member)

    assert selected_option(other_browser.get("/").text) == "5"


def test_going_back_to_nothing_watched_hides_every_episode(client):
    member = UserFactory(watched_up_to=12)
    client.force_login(member)

    response = client.post(PROGRESS_URL, {"watched_up_to": "0"})

    member.refresh_from_db()
    assert member.watched_up_to == 0
    assert messages_of(response) == ["Spoilers for every episode are now hidden."]


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example.com/", "//evil.example.com/", "http://evil.example.com/x", ""],
)
def test_next_must_stay_on_this_site(client, next_url):
    response = client.post(PROGRESS_URL, {"watched_up_to": "2", "next": next_url})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"


@pytest.mark.parametrize("value", ["13", "-1", "three", "", "2.5"])
def test_invalid_progress_is_refused_and_nothing_changes(client, value):
    member = UserFactory(watched_up_to=4)
    client.force_login(member)

    response = client.post(PROGRESS_URL, {"watched_up_to": value, "next": "/boards/"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Your progress was not saved" in response.text
    # The page offers the form again, still going back to where the reader was.
    assert 'name="next" value="/boards/"' in response.text
    member.refresh_from_db()
    assert member.watched_up_to == 4


def test_a_missing_value_is_refused(client):
    response = client.post(PROGRESS_URL, {})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert SESSION_KEY not in client.session


def test_the_form_is_protected_against_cross_site_requests():
    client = Client(enforce_csrf_checks=True)

    response = client.post(PROGRESS_URL, {"watched_up_to": "12"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SESSION_KEY not in client.session


def test_the_page_offers_the_form_without_javascript(client):
    client.post(PROGRESS_URL, {"watched_up_to": "6"})

    response = client.get(PROGRESS_URL, {"next": "/boards/"})

    assert response.status_code == HTTPStatus.OK
    assert '<option value="6" selected>Episode 6</option>' in response.text
    assert 'name="next" value="/boards/"' in response.text


def test_every_page_has_the_selector_in_its_header(client):
    client.post(PROGRESS_URL, {"watched_up_to": "9"})

    html = client.get("/boards/", {"page": "1"}).text

    header = html[html.index('<header class="site-header"') : html.index("</header>")]
    assert f'<form class="progress-selector" method="post" action="{PROGRESS_URL}">' in header
    assert 'name="csrfmiddlewaretoken"' in header
    assert '<input type="hidden" name="next" value="/boards/?page=1">' in header
    assert '<label class="progress-selector__label" for="progress-selector-episode">' in header
    assert "I've watched up to</label>" in header
    assert '<option value="0">Nothing yet</option>' in header
    assert '<option value="12">Episode 12</option>' in header
    assert selected_option(html) == "9"
    assert ">Save</button>" in header


def test_the_episode_list_is_not_queried_on_every_page(client):
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert '<option value="12">Episode 12</option>' in response.text
    assert not [q for q in queries.captured_queries if 'FROM "episodes_episode"' in q["sql"]]


def test_a_new_episode_joins_the_selector(client):
    client.get("/")
    season = Episode.objects.get(position=12).season
    # Saving an episode forgets the cached list (signal), so it shows at once.
    Episode.objects.create(season=season, number=13, position=13, title="Extra")

    # With its title, which is its own (not "Episode 13").
    assert '<option value="13">Episode 13 — Extra</option>' in client.get("/").text
    client.post(PROGRESS_URL, {"watched_up_to": "13"})
    assert client.session[SESSION_KEY] == 13


def test_members_set_their_progress_in_their_profile_settings(client):
    member = UserFactory(watched_up_to=2)
    client.force_login(member)

    page = client.get(reverse("users:profile_edit")).text
    assert '<option value="2" selected>Episode 2</option>' in page

    response = client.post(
        reverse("users:profile_edit"), {"display_name": "", "bio": "", "watched_up_to": "11"}
    )

    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.watched_up_to == 11


def test_profile_settings_without_the_field_keep_the_progress(client):
    member = UserFactory(watched_up_to=8)
    client.force_login(member)

    client.post(reverse("users:profile_edit"), {"display_name": "Nam", "bio": ""})

    member.refresh_from_db()
    assert member.display_name == "Nam"
    assert member.watched_up_to == 8


def test_a_new_episode_appears_in_the_progress_selector_at_once(client):
    from fansite.episodes.models import Episode, Season

    client.get("/")  # fills the cached episode list
    season = Season.objects.get(number=1)
    Episode.objects.create(season=season, number=13, position=13, title="Episode 13")

    response = client.get("/")

    assert '<option value="13"' in response.text
