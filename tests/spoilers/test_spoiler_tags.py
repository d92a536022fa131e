import html

from django.template import Context, Template

from fansite.spoilers import tokens
from fansite.spoilers.readers import Reader
from fansite.spoilers.reveals import adding_reveals


class Item:
    def __init__(self, key, level):
        self.reveal_key = key
        self.spoiler_level = level


def render_show_value(item, anchor=""):
    template = Template("{% load spoilers %}{% reveal_value item anchor %}")
    return html.unescape(template.render(Context({"item": item, "anchor": anchor})))


def test_a_show_button_sends_the_item_and_where_to_land():
    assert render_show_value(Item("c2", 9), "comment-2") == "c2#comment-2"
    assert render_show_value(Item("a1", 12)) == "a1"


def test_revealing_keeps_earlier_reveals_and_the_page():
    reader = Reader(binding="m7")
    earlier = reader.token("c1")
    url = adding_reveals(f"/threads/1/?page=2&reveal={earlier}", ["c2#comment-2"], reader)

    assert url == f"/threads/1/?page=2&reveal={earlier}&reveal={reader.token('c2')}#comment-2"


def test_revealing_does_not_repeat_a_key():
    reader = Reader(binding="m7")
    url = adding_reveals(f"/x/?reveal={reader.token('c2')}", ["c2"], reader)

    assert url == f"/x/?reveal={reader.token('c2')}"


def test_revealing_drops_reveals_that_are_not_the_readers_own():
    reader, other = Reader(binding="m7"), Reader(binding="m8")
    address = f"/x/?reveal={other.token('c1')}&reveal=c3&reveal={reader.token('c2')}"

    assert adding_reveals(address, [], reader) == f"/x/?reveal={reader.token('c2')}"


def test_revealing_ignores_malformed_keys_and_anchors():
    reader = Reader(binding="m7")

    assert adding_reveals("/x/", ["c1;drop", "", "c2#<script>"], reader) == (
        f"/x/?reveal={reader.token('c2')}"
    )


def test_a_token_counts_only_for_the_reader_it_was_made_for():
    token = tokens.make("m7", "c5")

    assert tokens.read(token, "m7") == ("c5", True)
    assert tokens.read(token, "m8") == ("c5", False)
    assert tokens.read(token, "vsomebrowsersecret") == ("c5", False)
    assert tokens.read("c5", "m7") == ("c5", False)  # a bare key is nobody's
    assert tokens.read(token, None) == ("c5", False)
    assert tokens.read("c5.", "m7") == ("c5", False)
    assert tokens.read("../x.abc", "m7") == (None, False)
    # Another item's signature does not transfer.
    assert tokens.read(f"c6.{token.partition('.')[2]}", "m7") == ("c6", False)


def test_reader_hides_only_what_spoils_beyond_progress_and_is_not_revealed():
    reader = Reader(progress=3, revealed=frozenset({"c2"}))

    assert reader.hides(Item("c1", 9))
    assert not reader.hides(Item("c2", 9))  # revealed
    assert not reader.hides(Item("c3", 3))  # within progress
    assert not reader.hides(Item("c4", None))  # spoils nothing


def test_revealing_a_thread_shows_comments_up_to_its_level_only():
    thread = Item("t1", 9)
    reader = Reader(progress=3, revealed=frozenset({"t1"})).for_page(thread)

    assert not reader.hides(Item("c1", 9))
    assert reader.hides(Item("c2", 10))
