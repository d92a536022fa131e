import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.episodes.models import Episode, Series

pytestmark = pytest.mark.django_db


def test_season_one_is_seeded_with_twelve_episodes_released_together():
    series = Series.objects.get(slug="all-of-us-are-dead")
    episodes = Episode.objects.for_series(series)
    assert [e.position for e in episodes] == list(range(1, 13))
    assert {e.air_date for e in episodes} == {datetime.date(2022, 1, 28)}
    assert series.based_on == "Now at Our School"
    # Synopses are for editors to write, not for us to invent.
    assert not any(e.synopsis for e in episodes)


def test_episode_guide_lists_every_episode(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get(reverse("episodes:episode_list"))
    assert response.status_code == HTTPStatus.OK
    for number in range(1, 13):
        assert f"Episode {number}<" in response.text
