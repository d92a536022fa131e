from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from fansite.episodes.models import Episode
from fansite.ratings.models import Rating
from fansite.ratings.services import rate_episode, remove_rating
from fansite.users.standing import PostingRefused
from tests.users.factories import UserFactory


def episode(number):
    return Episode.objects.get(position=number)


def test_rating_needs_the_episode_watched(db):
    onjo = UserFactory(watched_up_to=8)

    with pytest.raises(PostingRefused, match="once you have watched it"):
        rate_episode(member=onjo, episode=episode(9), score=7)
    rate_episode(member=onjo, episode=episode(8), score=7)

    assert list(Rating.objects.values_list("episode__position", "score")) == [(8, 7)]


def test_a_member_has_one_rating_per_episode_and_can_change_or_remove_it(db):
    suhyeok = UserFactory(watched_up_to=12)
    rate_episode(member=suhyeok, episode=episode(12), score=6)
    rate_episode(member=suhyeok, episode=episode(12), score=9)

    assert list(Rating.objects.values_list("score", flat=True)) == [9]
    assert remove_rating(member=suhyeok, episode=episode(12))
    assert not remove_rating(member=suhyeok, episode=episode(12))
    assert not Rating.objects.exists()


@pytest.mark.parametrize("score", [0, 11, -1])
def test_scores_run_from_one_to_ten(db, score):
    namra = UserFactory(watched_up_to=12)

    with pytest.raises(PostingRefused, match="from 1 to 10"):
        rate_episode(member=namra, episode=episode(1), score=score)
    with pytest.raises(IntegrityError):  # and the database says the same
        Rating.objects.create(member=namra, episode=episode(1), score=max(score, 0))


def test_banned_members_cannot_rate(db):
    banned = UserFactory(watched_up_to=12, banned_until=timezone.now() + timedelta(days=1))

    with pytest.raises(PostingRefused):
        rate_episode(member=banned, episode=episode(1), score=8)


def test_the_summary_has_the_average_the_count_and_every_score(db):
    for score in (10, 9, 9, 4):
        rate_episode(member=UserFactory(watched_up_to=12), episode=episode(5), score=score)
    rate_episode(member=UserFactory(watched_up_to=12), episode=episode(6), score=3)

    summary = Rating.objects.summary(episode(5))

    assert summary["count"] == 4
    assert summary["average"] == 8.0
    assert summary["distribution"] == [
        (1, 0), (2, 0), (3, 0), (4, 1), (5, 0), (6, 0), (7, 0), (8, 0), (9, 2), (10, 1)
    ]  # fmt: skip
    assert Rating.objects.averages() == {episode(5).pk: (8.0, 4), episode(6).pk: (3.0, 1)}
    assert Rating.objects.summary(episode(7)) == {
        "count": 0,
        "average": None,
        "distribution": [(score, 0) for score in range(1, 11)],
    }
