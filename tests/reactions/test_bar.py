"""Bars drawn once and kept (fansite.reactions.bar ``drawn`` and ``bare``): each is
only ever reused for the same comment, counts, kinds, language and page."""

from fansite.reactions.bar import FULL, OWN, Bars
from fansite.reactions.state import Kind

KINDS = [Kind(1, "heart", "❤️", "Heart"), Kind(2, "cry", "😭", "Crying")]


def test_a_drawn_bar_changes_with_its_counts():
    first = Bars(KINDS, can_react=False).drawn(7, OWN, {1: 2})
    again = Bars(KINDS, can_react=False).drawn(7, OWN, {1: 2, 2: 5})

    assert "❤️ 2" in first.decode()
    assert "😭" not in first.decode()
    assert "😭 5" in again.decode()


def test_a_drawn_bar_is_each_comments_own():
    counts = {1: 3}
    bars = Bars(KINDS, can_react=False)

    assert "/comments/8/" in bars.drawn(8, FULL, counts).decode()
    assert "/comments/9/" in bars.drawn(9, FULL, counts).decode()


def test_a_drawn_bar_follows_the_kinds_on_offer():
    counts = {1: 1, 2: 1}
    before = Bars(KINDS, can_react=False).drawn(4, OWN, counts).decode()
    after = Bars(KINDS[:1], can_react=False).drawn(4, OWN, counts).decode()

    assert "😭" in before
    assert "😭" not in after


def test_a_bare_bar_comes_back_to_its_own_page():
    first = Bars(KINDS, can_react=True, path="/threads/3/?page=2").bare(5)
    other = Bars(KINDS, can_react=True, path="/threads/3/?page=4").bare(5)

    assert "page%3D2%23comment-5" in first
    assert "page%3D4%23comment-5" in other
