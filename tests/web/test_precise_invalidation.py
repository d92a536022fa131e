"""A write drops only the cached pages it changed (fansite.comments.threadpages):
a comment landing on a thread's last page leaves its first page cached, while
every page's counts and page links stay right (filled in after the cache).
Reactions and read markers drop no page at all.

Pages here hold two top-level comments (COMMENTS_PER_PAGE), so a thread of
seven has four pages.
"""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.comments.services import edit_comment, post_comment, start_thread
from fansite.reactions.models import ReactionKind
from fansite.reactions.services import set_reaction
from fansite.threads.models import Board, ThreadRead
from fansite.threads.services import read_key
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_a_page(settings):
    settings.COMMENTS_PER_PAGE = 2


@pytest.fixture
def author():
    # Watched nothing: the thread spoils nothing, so visitors read every comment.
    return UserFactory(watched_up_to=0)


@pytest.fixture
def thread(author):
    """Seven top-level comments (the opening post and six more): four pages."""
    thread = start_thread(
        board=Board.objects.get(slug="general"),
        author=author,
        title="Precise",
        body="Opening post",
    )
    for n in range(1, 7):
        post_comment(target=thread, author=author, body=f"Comment number {n}")
    return thread


def page(client, thread, number=None, **query):
    url = thread.get_absolute_url()
    params = {**({"page": number} if number else {}), **query}
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def cached(client, thread, number=None, **query):
    """The page, making sure it is in the cache first."""
    page(client, thread, number, **query)
    response, html = page(client, thread, number, **query)
    assert response["X-Page-Cache"] == "hit"
    return html


def page_links(html):
    found = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    return re.findall(r">(\d+)</(?:a|span)>", found[0]) if found else []


def test_a_comment_on_the_last_page_leaves_page_one_cached_with_fresh_counts(thread, author):
    reader = Client()
    first = cached(reader, thread)
    cached(reader, thread, 4)
    assert "7 posts" in first
    assert "6 replies" in first
    assert page_links(first) == ["1", "2", "3", "4"]

    post_comment(target=thread, author=author, body="Lands on page four")

    response, first = page(reader, thread)
    assert response["X-Page-Cache"] == "hit"
    assert "8 posts" in first
    assert "7 replies" in first
    assert "Lands on page four" not in first
    response, last = page(reader, thread, 4)
    assert response["X-Page-Cache"] == "miss"
    assert "Lands on page four" in last
    assert "8 posts" in last


def test_a_new_page_shows_in_every_pages_links_at_once(thread, author):
    reader = Client()
    cached(reader, thread)
    post_comment(target=thread, author=author, body="Eighth")
    post_comment(target=thread, author=author, body="Ninth, on page five")

    response, first = page(reader, thread)

    assert response["X-Page-Cache"] == "hit"
    assert page_links(first) == ["1", "2", "3", "4", "5"]
    response, fifth = page(reader, thread, 5)
    assert "Ninth, on page five" in fifth
    assert 'rel="next"' not in fifth


def test_a_reply_drops_only_its_comments_page(thread, author):
    reader = Client()
    cached(reader, thread, 2)
    cached(reader, thread, 3)
    on_page_two = Comment.objects.get(body="Comment number 2")

    post_comment(target=thread, author=author, body="A reply on page two", parent=on_page_two)

    response, two = page(reader, thread, 2)
    assert response["X-Page-Cache"] == "miss"
    assert "A reply on page two" in two
    response, _ = page(reader, thread, 3)
    assert response["X-Page-Cache"] == "hit"


def test_an_edit_drops_its_page_and_page_one_but_not_the_others(thread, author):
    reader = Client()
    for number in (None, 3, 4):
        cached(reader, thread, number)
    comment = Comment.objects.get(body="Comment number 4")  # on page 3

    edit_comment(comment=comment, editor=author, body="Comment number 4, corrected")

    assert "corrected" in page(reader, thread, 3)[1]
    # Page 1 may show it among the "Best comments".
    assert page(reader, thread)[0]["X-Page-Cache"] == "miss"
    assert page(reader, thread, 4)[0]["X-Page-Cache"] == "hit"


def test_an_edit_of_the_opening_post_drops_every_page(thread, author):
    reader = Client()
    cached(reader, thread, 4)
    opening = Comment.objects.filter(thread=thread).order_by("pk").first()

    edit_comment(comment=opening, editor=author, body="Opening post, reworded")

    response, html = page(reader, thread, 4)
    assert response["X-Page-Cache"] == "miss"
    assert "Opening post, reworded" in html  # the page's description


def test_a_deleted_comment_drops_every_page(thread):
    reader = Client()
    third = cached(reader, thread, 3)
    assert "Comment number 4" in third
    Comment.objects.get(body="Comment number 1").delete()

    response, html = page(reader, thread, 3)

    # Every later comment moved one place up: page 3 now ends the thread.
    assert response["X-Page-Cache"] == "miss"
    assert "Comment number 4" not in html
    assert "Comment number 6" in html
    assert page_links(html) == ["1", "2", "3"]
    assert "6 posts" in html


def test_newest_first_pages_follow_every_comment(thread, author):
    reader = Client()
    cached(reader, thread, sort="newest")

    post_comment(target=thread, author=author, body="Newest of all")

    response, html = page(reader, thread, sort="newest")
    assert response["X-Page-Cache"] == "miss"
    assert "Newest of all" in html


def test_a_page_number_beyond_the_last_is_shown_but_never_stored(thread, author):
    reader = Client()
    for _attempt in range(2):
        response, html = page(reader, thread, 99)
        assert "X-Page-Cache" not in response
    assert "Comment number 6" in html  # the last page
    post_comment(target=thread, author=author, body="After the last")
    assert "After the last" in page(reader, thread, 99)[1]


def test_reactions_and_read_markers_drop_no_page(thread, author):
    member = UserFactory(watched_up_to=12)
    client = Client()
    client.force_login(member)
    cached(client, thread)
    comment = Comment.objects.get(body="Comment number 1")
    kind = ReactionKind.objects.enabled().first()

    set_reaction(member=member, comment=comment, kind=kind, on=True)
    # Their read marker gone (and from the cache, where pages read it), so the
    # next view writes it again.
    ThreadRead.objects.filter(member=member).delete()
    cache.delete(read_key(member.pk, thread.pk))

    response, html = page(client, thread)
    assert response["X-Page-Cache"] == "hit"
    # The member's reaction is on the page all the same (filled in after the cache).
    assert 'aria-pressed="true"' in html
    assert ThreadRead.objects.filter(member=member).exists()


def test_counts_come_from_the_cache_on_a_hit(thread, django_assert_max_num_queries):
    reader = Client()
    cached(reader, thread, 2)

    with django_assert_max_num_queries(0):
        response = reader.get(thread.get_absolute_url() + "?page=2")

    assert response["X-Page-Cache"] == "hit"
    assert "7 posts" in response.content.decode()


def test_the_board_list_still_follows_every_comment(thread, author):
    reader = Client()
    url = reverse("threads:board_detail", kwargs={"slug": "general"})
    reader.get(url)
    post_comment(target=thread, author=author, body="Listed")
    assert reader.get(url)["X-Page-Cache"] == "miss"
