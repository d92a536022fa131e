import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.episodes.models import Episode
from fansite.ratings.models import Rating
from tests.users.factories import UserFactory


def rating_url(number):
    return reverse("ratings:rating_edit", args=[number])


def episode_page(client, number):
    return client.get(reverse("episodes:episode_detail", args=[number]))


def chart(html):
    """{score: count} from the episode page's distribution table."""
    rows = re.findall(
        r'<th scope="row">(\d+)</th>\s*<td class="rating-chart__count">(\d+)</td>', html
    )
    return {int(score): int(count) for score, count in rows}


@pytest.fixture
def cheongsan(client, db):
    member = UserFactory(username="cheongsan", watched_up_to=9)
    client.force_login(member)
    return member


def test_a_member_rates_an_episode_and_the_page_shows_the_average_and_the_chart(client, cheongsan):
    for score in (9, 7):
        Rating.objects.create(
            member=UserFactory(), episode=Episode.objects.get(position=5), score=score
        )
    before = episode_page(client, 5).text  # cached now
    assert "8.0" in before

    response = client.post(rating_url(5), {"score": "10"})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("episodes:episode_detail", args=[5]) + "#ratings"
    page = episode_page(client, 5).text
    assert "<strong>8.7</strong> out of 10 from 3 ratings" in page
    assert chart(page) == {10: 1, 9: 1, 8: 0, 7: 1, 6: 0, 5: 0, 4: 0, 3: 0, 2: 0, 1: 0}


def test_the_form_shows_and_changes_the_members_own_score(client, cheongsan):
    client.post(rating_url(9), {"score": "6"})
    form = client.get(rating_url(9)).text
    assert re.search(r'value="6"[^>]*checked', form)
    assert "Change my rating" in form

    client.post(rating_url(9), {"score": "8"})

    assert list(Rating.objects.values_list("score", flat=True)) == [8]


def test_a_rating_is_removed_from_the_form(client, cheongsan):
    client.post(rating_url(2), {"score": "3"})

    response = client.post(rating_url(2), {"remove": "1"})

    assert response.status_code == HTTPStatus.FOUND
    assert not Rating.objects.exists()
    assert "No ratings yet." in episode_page(client, 2).text


def test_an_episode_not_yet_watched_cannot_be_rated(client, cheongsan):
    page = client.get(rating_url(10))
    assert "once you have watched it" in page.text
    assert "<fieldset>" not in page.text

    response = client.post(rating_url(10), {"score": "9"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Rating.objects.exists()


@pytest.mark.parametrize("score", ["", "11", "zero"])
def test_a_bad_score_is_refused_with_a_clear_error(client, cheongsan, score):
    response = client.post(rating_url(4), {"score": score})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "form-error" in response.text
    assert not Rating.objects.exists()


def test_visitors_are_asked_to_log_in(client, db):
    response = client.get(rating_url(1))

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response.url
    assert "No ratings yet." in episode_page(client, 1).text


def test_the_chart_is_the_same_for_every_reader(client, db):
    Rating.objects.create(member=UserFactory(), episode=Episode.objects.get(position=12), score=9)
    early = UserFactory(watched_up_to=1)
    client.force_login(early)
    seen_early = chart(episode_page(client, 12).text)
    client.force_login(UserFactory(watched_up_to=12))

    assert (
        seen_early
        == chart(episode_page(client, 12).text)
        == {
            **{score: 0 for score in range(1, 11)},
            9: 1,
        }
    )


def test_the_guide_charts_every_episodes_average_with_one_more_query(
    client, db, django_assert_max_num_queries
):
    for position, score in ((1, 7), (1, 9), (12, 10)):
        Rating.objects.create(
            member=UserFactory(), episode=Episode.objects.get(position=position), score=score
        )
    client.get("/")  # the catalogue is cached by the first page

    # Seasons, their episodes, the episodes' boards, and every average at once.
    with django_assert_max_num_queries(4):
        html = client.get(reverse("episodes:episode_list")).text

    rows = re.findall(
        r'<th scope="row"><a href="/episodes/(\d+)/#ratings">\d+</a></th>\s*'
        r'<td class="season-chart__bar"><svg[^>]*>(?:<rect width="([\d.]+)%")?',
        html,
    )
    widths = {int(number): width for number, width in rows}
    assert widths == {1: "80.0", **{n: "" for n in range(2, 12)}, 12: "100.0"}
    assert "8.0 <span" in html
    assert "(2 ratings)" in html
    assert "not rated yet" in html


def test_rating_is_rate_limited_and_keeps_the_choice(client, cheongsan, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "rate": ["2/m/user"]}
    client.force_login(cheongsan)
    url = "/episodes/1/rating/"
    assert client.post(url, {"score": "7"}).status_code == 302
    assert client.post(url, {"score": "8"}).status_code == 302
    refused = client.post(url, {"score": "9"})
    assert refused.status_code == 429
    assert "many times" in refused.text
    assert re.search(r'value="9"[^>]*checked', refused.text)
