from http import HTTPStatus

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HINT = "because you haven't said how far you've watched"


@pytest.mark.parametrize(
    "url",
    ["/", reverse("threads:board_list"), reverse("threads:board_detail", args=["episode-3"])],
)
def test_new_visitors_are_told_why_discussions_are_hidden(client, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    assert HINT in response.text


def test_the_hint_goes_once_progress_is_set(client):
    client.post(reverse("spoilers:progress_update"), {"watched_up_to": 4, "next": "/"})

    assert HINT not in client.get(reverse("threads:board_list")).text
