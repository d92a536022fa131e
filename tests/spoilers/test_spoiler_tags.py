import html

from django.template import Context, Template
from django.test import RequestFactory

from fansite.spoilers.readers import Reader


class Item:
    def __init__(self, key, level):
        self.reveal_key = key
        self.spoiler_level = level


def render_reveal_url(path, item, anchor=""):
    request = RequestFactory().get(path)
    template = Template("{% load spoilers %}{% reveal_url item anchor %}")
    return html.unescape(
        template.render(Context({"request": request, "item": item, "anchor": anchor}))
    )


def test_reveal_link_keeps_earlier_reveals_and_the_page():
    url = render_reveal_url("/threads/1/?page=2&reveal=c1", Item("c2", 9), "comment-2")

    assert url == "/threads/1/?page=2&reveal=c1&reveal=c2#comment-2"


def test_reveal_link_does_not_repeat_a_key():
    assert render_reveal_url("/x/?reveal=c2", Item("c2", 9)) == "/x/?reveal=c2"


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
