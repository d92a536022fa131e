from http import HTTPStatus

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HINT = "as far as we know, you haven't watched any yet"
PANEL = '<section class="first-visit"'


def dismiss(client):
    client.post(reverse("spoilers:progress_update"), {"dismiss": "1", "next": "/"})


@pytest.mark.parametrize(
    "url",
    ["/", reverse("threads:board_list"), reverse("threads:board_detail", args=["episode-3"])],
)
def test_visitors_at_nothing_yet_are_told_why_discussions_are_hidden(client, url):
    dismiss(client)

    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    assert HINT in response.text


def test_while_the_first_visit_question_is_asked_it_is_not_repeated(client):
    html = client.get("/").text

    assert PANEL in html
    assert HINT not in html


def test_the_hint_goes_once_progress_is_set(client):
    dismiss(client)
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": 4, "next": "/"})

    assert HINT not in client.get(reverse("threads:board_list")).text
