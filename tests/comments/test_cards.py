"""Visitors' comment cards come from a cache of their own (fansite.comments.cards):
the page is the same as without it, a new comment renders only its own card, and
nothing gated or member-specific is ever taken from it."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from fansite.comments.models import Comment
from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board
from fansite.web.pagecache import local_pages
from tests.spoilers.readers import revealing
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def thread():
    author = UserFactory(username="carder", display_name="Card Writer")
    thread = start_thread(
        board=Board.objects.get(slug="general"), author=author, title="Cards", body="Opening."
    )
    top = post_comment(target=thread, author=UserFactory(), body="A *top* comment")
    post_comment(target=thread, author=author, body="A reply", parent=top)
    post_comment(target=thread, author=author, body="Later ep 9 stuff", spoils_episode=9)
    return thread


def card_keys():
    return {key for key in cache._cache if ":card:" in key}


def visitor_page(url):
    html = Client().get(url).content.decode()
    return CSRF.sub("", html)


def test_a_page_built_from_cached_cards_is_the_page_without_them(thread, settings):
    url = thread.get_absolute_url()
    settings.PAGE_CACHE_SECONDS = 0
    plain = visitor_page(url)
    settings.PAGE_CACHE_SECONDS = 300
    first = visitor_page(url)  # renders and stores the cards
    assert card_keys()
    cache.delete_many([key.split(":", 2)[2] for key in cache._cache if ":page:" in key])
    local_pages.clear()
    from_cards = visitor_page(url)  # the page again, from the cached cards

    assert plain == first == from_cards
    assert "A <em>top</em> comment" in from_cards


def test_a_new_comment_renders_only_its_own_card(thread):
    url = thread.get_absolute_url()
    visitor_page(url)
    before = card_keys()

    post_comment(target=thread, author=UserFactory(), body="Fresh card")
    html = visitor_page(url)

    assert "Fresh card" in html
    assert len(card_keys() - before) == 1


def test_gated_cards_are_never_cached(thread):
    visitor_page(thread.get_absolute_url())
    gated = Comment.objects.get(body="Later ep 9 stuff")
    # The visitor (progress 0) saw a gate for it: four cards drawn, three cached.
    assert len(card_keys()) == 3
    reader = Client()
    revealed = reader.get(revealing(reader, thread.get_absolute_url(), gated)).text
    assert "Later ep 9 stuff" in revealed
    assert "shown at your request" in revealed
    # Shown at the visitor's request, it is a different card from the plain one.
    assert len(card_keys()) == 4


def test_members_never_get_visitors_cards(thread):
    visitor_page(thread.get_absolute_url())
    cached = card_keys()
    member = Client()
    member.force_login(UserFactory(watched_up_to=12))

    html = member.get(thread.get_absolute_url()).content.decode()

    # Their own links on every card: nothing came from the visitors' cards.
    assert html.count('class="comment__report report-link"') == 4
    assert html.count(">Reply</a>") == 4
    assert card_keys() == cached


def test_a_body_changed_in_the_admin_changes_the_card(thread):
    url = thread.get_absolute_url()
    visitor_page(url)
    comment = Comment.objects.get(body="A reply")
    comment.body = "A reply, corrected by a moderator"
    comment.save()  # no edited_at: the admin does not mark it as edited

    assert "A reply, corrected by a moderator" in visitor_page(url)


def test_a_renamed_author_shows_on_every_card(thread):
    url = thread.get_absolute_url()
    visitor_page(url)
    author = thread.author
    author.display_name = "Renamed Card Writer"
    author.save()

    html = visitor_page(url)
    assert html.count("Renamed Card Writer") >= 2
