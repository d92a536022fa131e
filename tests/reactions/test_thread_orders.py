"""Threads on a board and on the home page: Latest activity, New, Top this week and
Top all time, each cached apart, spoiler-safe as the default order is."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fansite.comments.services import start_thread
from fansite.reactions.services import set_reaction
from fansite.spoilers.levels import NO_SPOILERS
from fansite.threads.models import Thread
from tests.threads.factories import board
from tests.users.factories import UserFactory

SECRET_TITLE = "Who turns at the gym"


@pytest.fixture
def threads(jiho, relaxed_posting_limits, kinds):
    """Four threads on the General board: "Old popular" (started ten days ago, 3
    reactions), "Week star" (2 reactions), "Quiet" (none, most recently active) and
    "Fresh" (newest, 1 reaction)."""
    made = {}
    for title in ("Old popular", "Week star", "Quiet", "Fresh"):
        made[title] = start_thread(
            board=board("general"),
            author=jiho,
            title=title,
            body=f"About {title}",
            spoils_episode=NO_SPOILERS,
        )
    now = timezone.now()
    Thread.objects.filter(pk=made["Old popular"].pk).update(created_at=now - timedelta(days=10))
    Thread.objects.filter(pk=made["Quiet"].pk).update(last_activity_at=now + timedelta(minutes=5))
    for title, count in (("Old popular", 3), ("Week star", 2), ("Fresh", 1)):
        opening = made[title].comments.first()
        for _ in range(count):
            set_reaction(member=UserFactory(), comment=opening, kind=kinds["love"], on=True)
    return made


def titles(html, names=("Old popular", "Week star", "Quiet", "Fresh")):
    found = re.findall("|".join(names), html)
    return list(dict.fromkeys(found))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Quiet", "Fresh", "Week star", "Old popular"]),
        ("?sort=new", ["Fresh", "Quiet", "Week star", "Old popular"]),
        ("?sort=top-week", ["Week star", "Fresh", "Quiet"]),
        ("?sort=top", ["Old popular", "Week star", "Fresh", "Quiet"]),
    ],
)
def test_a_board_lists_threads_in_each_order(client, threads, query, expected):
    html = client.get(f"/boards/general/{query}").text.split('class="thread-list"')[1]
    assert titles(html) == expected


def test_the_home_page_lists_discussions_in_each_order(client, threads):
    default = client.get("/").text.split('id="discussions"')[1]
    top = client.get("/?sort=top").text.split('id="discussions"')[1]
    assert titles(default)[0] == "Quiet"
    assert titles(top)[0] == "Old popular"
    assert '<span aria-current="true">Top all time</span>' in top


def test_each_order_of_a_board_is_cached_apart(client, threads):
    for query in ("", "?sort=top"):
        assert client.get(f"/boards/general/{query}")["X-Page-Cache"] == "miss"
    top = client.get("/boards/general/?sort=top")
    assert top["X-Page-Cache"] == "hit"
    assert titles(top.text.split('class="thread-list"')[1])[0] == "Old popular"


def test_top_orders_never_show_a_gated_title(client, threads, jiho, kinds, onjo):
    secret = start_thread(
        board=board("general"),
        author=jiho,
        title=SECRET_TITLE,
        body="Episode 9 talk",
        spoils_episode=9,
    )
    for _ in range(5):
        set_reaction(
            member=UserFactory(), comment=secret.comments.first(), kind=kinds["sad"], on=True
        )
    client.force_login(onjo)  # watched up to 3
    for url in ("/boards/general/?sort=top", "/boards/general/?sort=top-week", "/?sort=top"):
        html = client.get(url).text
        assert SECRET_TITLE not in html
        assert "Spoiler for episode 9" in html
    client.force_login(UserFactory(watched_up_to=12))
    assert SECRET_TITLE in client.get("/boards/general/?sort=top").text


def test_an_unknown_order_is_the_default(client, threads):
    html = client.get("/boards/general/?sort=bogus").text.split('class="thread-list"')[1]
    assert titles(html)[0] == "Quiet"
