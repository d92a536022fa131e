from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.episodes.models import Episode, Season
from fansite.threads.models import Board, Thread

from .factories import ThreadFactory, board, reply

pytestmark = pytest.mark.django_db


def test_creating_an_episode_creates_its_board():
    season_two = Season.objects.create(series=Season.objects.get().series, number=2)

    episode = Episode.objects.create(season=season_two, number=1, position=13, title="Episode 13")

    created = Board.objects.get(episode=episode)
    assert created.kind == Board.Kind.EPISODE
    assert created.slug == "episode-13"
    assert created.spoiler_level == 13


def test_episode_added_in_the_admin_gets_its_board_and_appears_on_the_board_list(admin_client):
    season = Season.objects.get()
    response = admin_client.post(
        reverse("admin:episodes_episode_add"),
        {"season": season.pk, "number": 13, "position": 13, "title": "Bonus episode"},
    )
    assert response.status_code == HTTPStatus.FOUND

    assert Board.objects.filter(episode_id=13, slug="episode-13").exists()
    listing = admin_client.get(reverse("threads:board_list"))
    assert reverse("threads:board_detail", args=["episode-13"]) in listing.text


def test_board_admin_lists_boards_with_counts(admin_client):
    ThreadFactory(board=board("theories"))
    response = admin_client.get(reverse("admin:threads_board_changelist"))
    assert response.status_code == HTTPStatus.OK
    assert "Theories" in response.text
    assert "Episode 12" in response.text


def test_board_added_in_the_admin_is_a_general_board(admin_client):
    response = admin_client.post(
        reverse("admin:threads_board_add"),
        {"title": "Fan art", "slug": "fan-art", "description": "Drawings.", "position": 5},
    )
    assert response.status_code == HTTPStatus.FOUND
    added = Board.objects.get(slug="fan-art")
    assert added.kind == Board.Kind.GENERAL
    assert added.episode is None


@pytest.mark.parametrize(
    ("action", "field", "before", "after"),
    [
        ("pin", "is_pinned", False, True),
        ("unpin", "is_pinned", True, False),
        ("lock", "is_locked", False, True),
        ("unlock", "is_locked", True, False),
    ],
)
def test_thread_admin_actions(admin_client, action, field, before, after):
    threads = [ThreadFactory(**{field: before}) for _ in range(2)]

    response = admin_client.post(
        reverse("admin:threads_thread_changelist"),
        {"action": action, "_selected_action": [thread.pk for thread in threads]},
        follow=True,
    )

    assert response.status_code == HTTPStatus.OK
    assert set(Thread.objects.values_list(field, flat=True)) == {after}
    assert "2 threads." in response.text


def test_thread_admin_changelist_filters_and_searches(admin_client):
    ThreadFactory(title="Needle in the stack", is_locked=True)
    ThreadFactory(title="Hay")
    url = reverse("admin:threads_thread_changelist")

    searched = admin_client.get(url, {"q": "needle"})
    assert "Needle in the stack" in searched.text
    assert ">Hay<" not in searched.text

    locked = admin_client.get(url, {"is_locked__exact": "1"})
    assert "Needle in the stack" in locked.text
    assert ">Hay<" not in locked.text


def test_deleting_a_thread_in_the_admin_keeps_board_counters_true(admin_client):
    theories = board("theories")
    kept = ThreadFactory(board=theories)
    doomed = ThreadFactory(board=theories)
    reply(doomed)
    reply(doomed)

    admin_client.post(reverse("admin:threads_thread_delete", args=[doomed.pk]), {"post": "yes"})

    theories.refresh_from_db()
    kept.refresh_from_db()
    assert (theories.thread_count, theories.post_count) == (1, 1)
    assert theories.last_activity_at == kept.last_activity_at


def test_admin_change_pages_render(admin_client):
    thread = ThreadFactory(board=board("episode-3"))
    for url in [
        reverse("admin:threads_thread_change", args=[thread.pk]),
        reverse("admin:threads_board_change", args=[thread.board.pk]),
        reverse("admin:threads_board_add"),
    ]:
        assert admin_client.get(url).status_code == HTTPStatus.OK


def test_deleting_a_thread_in_the_admin_is_in_the_moderation_log(admin_client, admin_user):
    from fansite.moderation.models import ModerationLog

    doomed = ThreadFactory(board=board("theories"), title="Gone for good")
    reply(doomed)
    admin_client.post(
        reverse("admin:threads_thread_changelist"),
        {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"},
    )

    entry = ModerationLog.objects.get()
    assert (entry.action, entry.target_type, entry.target_id) == (
        ModerationLog.Action.DELETE_THREAD,
        "thread",
        doomed.pk,
    )
    assert entry.moderator == admin_user
    assert entry.before["title"] == "Gone for good"
    assert entry.before["posts"] == 2


def test_moderators_cannot_delete_threads_only_hide_them():
    from django.core.exceptions import PermissionDenied

    from fansite.moderation.services import delete_thread
    from tests.moderation.helpers import make_moderator

    moderator = make_moderator(username="mod")
    thread = ThreadFactory(board=board("theories"))
    with pytest.raises(PermissionDenied):
        delete_thread(thread=thread, moderator=moderator)
    assert Thread.objects.filter(pk=thread.pk).exists()
