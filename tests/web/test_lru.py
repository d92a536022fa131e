"""fansite.web.lru.ClearedWhenFull: the bounded dict the process's small drawn
parts and digests are kept in."""

from fansite.web.lru import ClearedWhenFull


def test_it_never_holds_more_than_its_size_and_empties_for_a_new_key():
    kept = ClearedWhenFull(3)
    for number in range(3):
        kept[number] = str(number)
    assert kept == {0: "0", 1: "1", 2: "2"}

    kept[1] = "one"  # a key it holds: replaced, nothing dropped
    assert kept == {0: "0", 1: "one", 2: "2"}

    kept[3] = "3"  # a fourth key: the rest go
    assert kept == {3: "3"}
    for number in range(10):
        kept[number] = number
        assert len(kept) <= 3
