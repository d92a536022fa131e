"""Gates in lists say more without spoiling ("Spoiler for episode 9 · Episode 9 board
· 2 replies"), and lists that are mostly gates fold them into one entry."""

import re
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from fansite.spoilers.groups import GateGroup, group_gates
from fansite.spoilers.readers import Reader
from fansite.threads.models import Thread
from tests.threads.factories import ThreadFactory, board, reply

from .readers import as_reader, revealing

SECRET = "SECRET-TITLE"


@dataclass(frozen=True)
class Item:
    name: str
    spoiler_level: int | None

    @property
    def reveal_key(self):
        return f"x{self.name}"


def shape(entries):
    """ "a b [c d e]": rows by name, groups in brackets."""
    return " ".join(
        f"[{' '.join(item.name for item in entry.items)}]"
        if isinstance(entry, GateGroup)
        else entry.name
        for entry in entries
    )


def items(spec):
    """ "a1 b9 c": item a at level 1, b at 9, c without a level."""
    return [Item(word[0], int(word[1:]) if word[1:] else None) for word in spec.split()]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # Fewer than three gated rows: rows.
        ("a b9 c d9 e f g h", "a b c d e f g h"),
        # A run of three or more, in a list mostly shown: one entry in its place.
        ("a b c d9 e9 f9 g h i j", "a b c [d e f] g h i j"),
        # Runs shorter than three stay rows when gates are fewer than half.
        ("a b c d e9 f9 g h9 i j", "a b c d e f g h i j"),
        ("a9 b9 c d e f9 g9 h9 i j k", "a b c d e [f g h] i j k"),
        # Half or more gated: all of them, where the first was.
        ("a b9 c9 d e9 f9", "a [b c e f] d"),
        ("a9 b c9 d e9 f", "[a c e] b d f"),
        ("a9 b9 c9", "[a b c]"),
    ],
)
def test_the_grouping_rule(spec, expected):
    reader = Reader(progress=3)

    assert shape(group_gates(items(spec), reader)) == expected


def test_a_revealed_row_is_not_a_gate():
    entries = items("a9 b9 c9 d")
    reader = Reader(progress=3, revealed=frozenset({"xb"}))

    assert shape(group_gates(entries, reader)) == "a b c d"


def test_a_group_knows_its_episodes():
    group = GateGroup(tuple(items("a9 b4 c12")))

    assert (group.count, group.first_level, group.last_level) == (3, 4, 12)
    assert group.anchor == "gated-xa"


# The pages.


def make_thread(slug, title, *, replies=0, minutes_ago=0):
    thread = ThreadFactory(board=board(slug), title=title)
    for _ in range(replies):
        reply(thread)
    Thread.objects.filter(pk=thread.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return thread


def latest_section(html):
    start = html.index('<section class="latest-discussions"')
    return html[start : html.index("</section>", start)]


def gate_labels(html):
    return re.findall(r'<span class="spoiler-gate__label">(.*?)</span> <button', html)


def strip_tags(text):
    return re.sub(r"<[^>]+>", "", text)


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_home_folds_gates_into_one_entry_for_a_reader_behind(client, kind):
    make_thread("general", "Favourite character", minutes_ago=1)
    for number, slug in enumerate(["episode-4", "episode-6", "episode-9", "theories"]):
        make_thread(slug, f"{SECRET} {number}", replies=number, minutes_ago=10 + number)
    make_thread("episode-12", f"{SECRET} finale", replies=2, minutes_ago=20)
    Thread.objects.filter(board__slug="theories").update(spoils_episode=10)
    as_reader(client, kind, 3)

    section = latest_section(client.get("/").text)

    assert SECRET not in section
    assert "Favourite character" in section
    [summary] = re.findall(r'<summary class="gate-group__summary">(.*?)</summary>', section)
    assert strip_tags(summary) == (
        "5 discussions spoil episodes you haven't watched (episodes 4\u201312) · list them"
    )
    labels = [strip_tags(label) for label in gate_labels(section)]
    assert labels == [
        "Spoiler for episode 4 · Episode 4 board · 0 replies",
        "Spoiler for episode 6 · Episode 6 board · 1 reply",
        "Spoiler for episode 9 · Episode 9 board · 2 replies",
        "Spoiler for episode 10 · Theories board · 3 replies",
        "Spoiler for episode 12 · Episode 12 board · 2 replies",
    ]
    # Each gate keeps its Show button, and the entry offers to change the progress.
    assert section.count('class="spoiler-gate__show"') == 5
    assert f'href="{reverse("spoilers:progress_update")}?next=/"' in section


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_home_shows_the_titles_to_a_reader_caught_up(client, kind):
    make_thread("general", "Favourite character", minutes_ago=1)
    for number, slug in enumerate(["episode-4", "episode-6", "episode-9"]):
        make_thread(slug, f"{SECRET} {number}", minutes_ago=10 + number)
    as_reader(client, kind, 12)

    section = latest_section(client.get("/").text)

    for number in range(3):
        assert f"{SECRET} {number}" in section
    assert "gate-group" not in section
    assert gate_labels(section) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
def test_a_few_gates_stay_rows_and_say_their_board_and_size(client):
    for number in range(4):
        make_thread("general", f"Open topic {number}", minutes_ago=number)
    make_thread("episode-9", SECRET, replies=2, minutes_ago=10)
    as_reader(client, "visitor", 3)

    section = latest_section(client.get("/").text)

    assert SECRET not in section
    assert "gate-group" not in section
    [label] = gate_labels(section)
    assert strip_tags(label) == "Spoiler for episode 9 · Episode 9 board · 2 replies"


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
def test_a_thread_pages_own_gate_stays_the_plain_label(client):
    thread = make_thread("episode-9", SECRET, replies=2)
    as_reader(client, "visitor", 3)

    html = client.get(thread.get_absolute_url()).text

    assert SECRET not in html
    assert '<span class="spoiler-gate__label">Spoiler for episode 9</span>' in html
    assert " board · " not in strip_tags(html)


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
def test_showing_one_takes_it_out_of_the_group(client):
    threads = [make_thread("episode-9", f"{SECRET} {n}", minutes_ago=n) for n in range(4)]
    as_reader(client, "visitor", 3)

    html = client.get(revealing(client, "/", threads[1])).text
    section = latest_section(html)

    assert f"{SECRET} 1" in section
    for number in (0, 2, 3):
        assert f"{SECRET} {number}" not in section
    assert "3 discussions spoil episode 9, which you haven't watched" in section


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_an_episode_board_behind_is_one_entry_with_each_gate(client, kind):
    episode_board = board("episode-9")
    for number in range(4):
        make_thread("episode-9", f"{SECRET} {number}", replies=1, minutes_ago=number)
    as_reader(client, kind, 3)

    html = client.get(episode_board.get_absolute_url()).text

    assert SECRET not in html
    assert "4 discussions spoil episode 9, which you haven&#x27;t watched" not in html
    assert "4 discussions spoil episode 9, which you haven't watched" in html
    assert [strip_tags(label) for label in gate_labels(html)] == [
        "Spoiler for episode 9 · Episode 9 board · 1 reply"
    ] * 4
    # The board's own "I've watched episode 9" says it once; the entry does not repeat it.
    assert html.count('name="episode" value="9"') == 1

    as_reader(client, kind, 9)
    html = client.get(episode_board.get_absolute_url()).text
    for number in range(4):
        assert f"{SECRET} {number}" in html
    assert "gate-group" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
def test_a_group_of_one_episode_offers_to_mark_it_watched(client):
    for number in range(3):
        make_thread("theories", f"{SECRET} {number}", minutes_ago=number)
    Thread.objects.update(spoils_episode=7)
    as_reader(client, "visitor", 3)

    html = client.get(board("theories").get_absolute_url()).text

    assert SECRET not in html
    group = html[html.index('class="gate-group') :]
    group = group[: group.index("</li>\n\n")] if "</li>\n\n" in group else group
    assert f'action="{reverse("spoilers:episode_watched")}"' in group
    assert 'name="episode" value="7"' in group

    client.post(reverse("spoilers:episode_watched"), {"episode": 7, "next": "/"})
    html = client.get(board("theories").get_absolute_url()).text
    assert f"{SECRET} 0" in html


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_the_episode_page_folds_its_latest_threads(client, kind):
    for number in range(5):
        make_thread("episode-8", f"{SECRET} {number}", minutes_ago=number)
    as_reader(client, kind, 2)

    html = client.get(reverse("episodes:episode_detail", args=[8])).text

    assert SECRET not in html
    assert "5 discussions spoil episode 9" not in html
    assert "5 discussions spoil episode 8, which you haven't watched" in html
    assert len(gate_labels(html)) == 5


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
def test_the_profile_gate_says_its_board_and_size(client):
    thread = make_thread("episode-9", SECRET, replies=3)
    as_reader(client, "visitor", 3)

    html = client.get(thread.author.get_absolute_url()).text

    assert SECRET not in html
    assert "Spoiler for episode 9 · Episode 9 board · 3 replies" in strip_tags(html)


@pytest.mark.django_db
@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("count", [3, 30])
def test_home_and_board_queries_stay_constant_with_groups(
    client, django_assert_max_num_queries, count
):
    episode_board = board("episode-9")
    ThreadFactory.create_batch(count, board=episode_board)
    as_reader(client, "member", 3)
    client.get("/")  # caches the header's episode list

    # The budgets of tests/spoilers/test_lists.py and tests/threads/test_board_views.py,
    # plus the member.
    with django_assert_max_num_queries(5):
        home = client.get("/")
    with django_assert_max_num_queries(5):
        page = client.get(episode_board.get_absolute_url())

    assert home.status_code == page.status_code == HTTPStatus.OK
    assert "gate-group__summary" in home.text
    assert "gate-group__summary" in page.text


def test_a_list_tells_a_thread_from_a_group_without_a_failed_lookup():
    """Templates ask each entry ``is_gate_group``: a thread answers it rather than
    failing the lookup, which costs the template language ``dir()`` of the
    instance on every row of a list."""
    from django.template import Context, Variable

    thread = Thread(title="A thread")
    group = GateGroup(items=(thread,))

    assert Variable("entry.is_gate_group").resolve(Context({"entry": thread})) is False
    assert Variable("entry.is_gate_group").resolve(Context({"entry": group})) is True
