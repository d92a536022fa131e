"""Thread rows of board pages and of the home page's latest discussions come from a
cache of their own
(fansite.threads.rowcards): the page is the same as without it, for visitors and
members, only a changed thread's row is drawn again, and a row gated for one
reader never gives another its title, nor the other way round."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board
from fansite.threads.rowcards import rows
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
SECRET = "Secret title marmot-6620"


@pytest.fixture
def board(relaxed_posting_limits):
    board = Board.objects.get(slug="general")
    author = UserFactory(username="rower", display_name="Row Starter")
    for number in range(4):
        start_thread(
            board=board, author=author, title=f"Thread {number}", body=f"Opening {number}."
        )
    start_thread(board=board, author=author, title=SECRET, body="Opening.", spoils_episode=9)
    return board


def page(url, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return CSRF.sub("", client.get(url).content.decode())


def row_keys():
    return {key for key in cache._cache if ":row:" in key}


@pytest.mark.parametrize("where", ["board", "home"])
@pytest.mark.parametrize("watched", [None, 0, 12])
def test_a_page_built_from_cached_rows_is_the_page_without_them(board, settings, watched, where):
    """``None``: a visitor; else a member who watched that far. The second member's
    page comes from the first one's rows."""
    url = board.get_absolute_url() if where == "board" else "/"
    settings.PAGE_CACHE_SECONDS = 0
    member = (lambda: None) if watched is None else (lambda: UserFactory(watched_up_to=watched))
    reader = member()
    settings.CARD_CACHE_SECONDS = 0
    plain = page(url, reader)
    settings.CARD_CACHE_SECONDS = 300
    page(url, member())
    stored = row_keys()
    from_shared = page(url, reader)
    rows.local.clear()
    from_local = page(url, reader)

    assert len(stored) >= 4
    assert row_keys() == stored
    assert plain == from_shared == from_local
    assert "Thread 3" in plain


def test_a_comment_draws_its_threads_row_again_and_no_other(board):
    url = board.get_absolute_url()
    page(url)
    before = row_keys()
    thread = board.threads.get(title="Thread 2")

    post_comment(target=thread, author=UserFactory(), body="A reply")
    html = page(url)

    after = row_keys()
    assert len(after - before) == 1
    assert "1 reply" in html


def test_a_gated_row_is_a_row_of_its_own(board, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = board.get_absolute_url()
    caught_up = UserFactory(watched_up_to=12)
    early = UserFactory(watched_up_to=3)

    assert SECRET in page(url, caught_up)
    assert SECRET not in page(url, early)
    assert SECRET not in page(url)
    assert SECRET in page(url, caught_up)


def test_staff_rows_are_never_cached(board, settings):
    settings.PAGE_CACHE_SECONDS = 0
    staff = UserFactory(is_staff=True, watched_up_to=12)

    page(board.get_absolute_url(), staff)

    assert not row_keys()


def test_a_row_revealed_on_the_home_page_is_the_revealing_readers_alone(board):
    from tests.spoilers.readers import as_reader, revealing

    thread = board.threads.get(title=SECRET)
    first, second = as_reader(Client(), "visitor", 3), as_reader(Client(), "visitor", 3)
    assert SECRET not in first.get("/").content.decode()

    address = revealing(first, "/", thread)
    revealed = first.get(address).content.decode()
    other = second.get("/").content.decode()
    again = first.get(address).content.decode()

    assert SECRET in revealed
    assert f'href="{thread.get_absolute_url()}?reveal=' in revealed
    assert SECRET not in other
    assert SECRET in again


def test_a_kept_key_is_only_reused_for_the_same_row(board, monkeypatch):
    """Row keys are kept by what they digest (``Fragments.key``): the same thread and
    page give the same key without a digest, and any change the row shows (its
    title, its last activity, even an instant written in another zone) is looked
    up by its own parts."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from fansite.spoilers.readers import Reader
    from fansite.threads import rowcards
    from fansite.threads.models import Thread
    from fansite.web import fragments

    thread = Thread.objects.filter(board=board).order_by("pk").first()
    reader = Reader(12, frozenset(), None)
    parts = ("board", "v", "en", "UTC", False)
    first = rowcards.row_key("board", thread, reader, None, parts)
    digested = []
    monkeypatch.setattr(fragments, "digest", lambda found: digested.append(found) or "new")

    assert rowcards.row_key("board", thread, reader, None, parts) == first
    assert digested == []

    # The same instant in another zone is drawn alike (the page's zone is a part).
    thread.last_activity_at = thread.last_activity_at.astimezone(ZoneInfo("Asia/Seoul"))
    assert rowcards.row_key("board", thread, reader, None, parts) == first

    thread.last_activity_at += timedelta(seconds=1)
    assert rowcards.row_key("board", thread, reader, None, parts) == "row:new"
    thread.title = "Renamed"
    assert rowcards.row_key("board", thread, reader, None, parts) == "row:new"
    assert len(digested) == 2
