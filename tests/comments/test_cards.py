"""Comment cards come from a cache of their own (fansite.comments.cards): the page
is the same as without it, for visitors and members, a new comment renders only
its own card, nothing gated is ever taken from it, and nothing of one member's
own reaches another through it."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from fansite.comments.cards import local_cards
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


def member_page(user, url):
    client = Client()
    client.force_login(user)
    return CSRF.sub("", client.get(url).content.decode())


def visitor_page(url):
    html = Client().get(url).content.decode()
    return CSRF.sub("", html)


def test_a_page_built_from_cached_cards_is_the_page_without_them(thread, settings):
    url = thread.get_absolute_url()
    settings.CARD_CACHE_SECONDS = 0
    plain = visitor_page(url)
    settings.CARD_CACHE_SECONDS = 300
    cache.clear()
    local_pages.clear()
    first = visitor_page(url)  # renders and stores the cards
    assert card_keys()
    cache.delete_many([key.split(":", 2)[2] for key in cache._cache if ":page:" in key])
    local_pages.clear()
    from_shared = visitor_page(url)  # the page again, from the shared cache's cards
    local_cards.clear()
    cache.delete_many([key.split(":", 2)[2] for key in cache._cache if ":page:" in key])
    local_pages.clear()
    assert local_cards.size == 0
    from_local = visitor_page(url)
    assert local_cards.size > 0

    assert plain == first == from_shared == from_local
    assert "A <em>top</em> comment" in from_local


def test_members_pages_built_from_cached_cards_are_the_pages_without_them(thread, settings):
    """Members share cards: the second member's page, from the first one's cards, is
    byte for byte the page drawn without any card cache, their own links and all."""
    url = thread.get_absolute_url()
    first, second = UserFactory(watched_up_to=12), UserFactory(watched_up_to=12)
    settings.PAGE_CACHE_SECONDS = 0
    settings.CARD_CACHE_SECONDS = 0
    plain = member_page(second, url)
    settings.CARD_CACHE_SECONDS = 300
    member_page(first, url)
    stored = card_keys()

    from_cards = member_page(second, url)

    assert len(stored) == 4
    assert card_keys() == stored
    assert from_cards == plain
    assert from_cards.count(">Reply</a>") == 4


def test_a_new_comment_renders_only_its_own_card(thread):
    url = thread.get_absolute_url()
    visitor_page(url)
    before = card_keys()

    post_comment(target=thread, author=UserFactory(), body="Fresh card")
    html = visitor_page(url)

    assert "Fresh card" in html
    assert len(card_keys() - before) == 1


def stored_cards():
    return [cache.get(key.split(":", 2)[2]) for key in card_keys()]


def test_a_gated_card_is_a_card_of_its_own_and_never_holds_the_text(thread, settings):
    """Cards are cached gated or not, apart: the reader it is gated for gets the gate
    from the cache, the reader who may read it gets the text, whichever came first."""
    settings.PAGE_CACHE_SECONDS = 0
    gated = Comment.objects.get(body="Later ep 9 stuff")
    late = Client()
    late.post(reverse("spoilers:progress_update"), {"watched_up_to": 12})
    assert "Later ep 9 stuff" in late.get(thread.get_absolute_url()).text
    assert len(card_keys()) == 4

    html = visitor_page(thread.get_absolute_url())  # progress 0: gated for them

    assert "Later ep 9 stuff" not in html
    assert "Spoiler for episode 9" in html
    assert len(card_keys()) == 5
    assert sum("Later ep 9 stuff" in card for card in stored_cards()) == 1
    local_cards.clear()
    again = visitor_page(thread.get_absolute_url())  # from the shared cache's cards
    assert len(card_keys()) == 5
    assert again == html
    reader = Client()
    revealed = reader.get(revealing(reader, thread.get_absolute_url(), gated)).text
    assert "Later ep 9 stuff" in revealed
    assert "shown at your request" in revealed
    # Shown at the visitor's request, it is a different card again.
    assert len(card_keys()) == 6


def test_members_never_get_visitors_cards(thread):
    visitor_page(thread.get_absolute_url())
    cached = card_keys()
    member = Client()
    member.force_login(UserFactory(watched_up_to=12))

    html = member.get(thread.get_absolute_url()).content.decode()

    # Reply and their own links on every card: cards of their own, not the visitors'.
    assert html.count('class="comment__report report-link"') == 4
    assert html.count(">Reply</a>") == 4
    assert len(card_keys() - cached) == 4


def test_an_authors_card_holds_nothing_of_theirs_for_the_next_member(thread):
    """The author draws the cards first: their Edit links are filled in after the
    card cache, so the next member's page from the same cards has Report instead."""
    url = thread.get_absolute_url()
    mine = member_page(thread.author, url)
    other = member_page(UserFactory(watched_up_to=12), url)

    own = Comment.objects.filter(author=thread.author, is_removed=False)
    for comment in own:
        edit = f"/comments/{comment.pk}/edit/"
        assert edit in mine
        assert edit not in other
    assert other.count('class="comment__report report-link"') == 4
    assert mine.count('class="comment__report report-link"') == 1


def test_staff_cards_are_never_cached(thread):
    staff = UserFactory(watched_up_to=12, is_staff=True)

    member_page(staff, thread.get_absolute_url())

    assert not card_keys()


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


def test_a_rerendered_body_changes_the_card_and_the_kept_keys_stay_bounded(
    thread, monkeypatch, settings
):
    """Keys are kept by everything they digest, the rendered text included: a body
    rendered again (``rerender_comments``, the same Markdown) is a new card; and
    no more keys are kept than the bound."""
    from fansite.comments import cards
    from fansite.web.lru import ClearedWhenFull

    monkeypatch.setattr(cards.cards, "kept", ClearedWhenFull(2))
    settings.PAGE_CACHE_SECONDS = 0  # the cards alone
    url = thread.get_absolute_url()
    visitor_page(url)
    assert len(cards.cards.kept) <= 2
    Comment.objects.filter(body="A reply").update(body_html="<p>A reply, drawn anew</p>")

    assert "A reply, drawn anew" in visitor_page(url)
    assert len(cards.cards.kept) <= 2
