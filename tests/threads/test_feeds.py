"""The RSS feeds of a board and of a thread: written for a reader who has watched nothing,
since a feed reader has no progress and cannot press Show."""

import re
from http import HTTPStatus
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.threads.models import Thread

from .factories import ThreadFactory, board, reply

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Cheongsan dies saving Onjo"
SECRET_BODY = "The gym rescue goes wrong at the end"
SECRET_REPLY = "Nam-ra stays a hambie"
INLINE_SECRET = "the class president is infected"


def board_feed(client, slug):
    return client.get(reverse("threads:board_feed", args=[slug]))


def thread_feed(client, thread):
    return client.get(reverse("threads:thread_feed", args=[thread.pk]))


def items(response):
    """(title, description, link) of each item, as a feed reader reads them."""
    channel = ElementTree.fromstring(response.content).find("channel")
    return [
        (item.findtext("title"), item.findtext("description"), item.findtext("link"))
        for item in channel.findall("item")
    ]


def channel_title(response):
    return ElementTree.fromstring(response.content).find("channel").findtext("title")


@pytest.fixture
def spoiling_thread():
    """An episode-9 thread (its board's level) with a secret in its title, opening
    post and a reply."""
    thread = ThreadFactory(board=board("episode-9"), title=SECRET_TITLE, body=SECRET_BODY)
    reply(thread, body=SECRET_REPLY)
    return thread


@pytest.fixture
def safe_thread():
    """A thread that spoils nothing, with an inline spoiler in its opening post, a
    level-free reply with an inline spoiler and a reply that spoils episode 9."""
    thread = ThreadFactory(
        board=board("general"),
        title="Favourite school in K-drama",
        body=f"Hyosan High, easily. >!{INLINE_SECRET}!< though.",
    )
    reply(thread, body=f"Agreed.\n\n:::spoiler\n{INLINE_SECRET}\n:::\n\nStill a great set.")
    reply(thread, body=SECRET_REPLY, spoils_episode=9)
    return thread


def test_board_feed_shows_spoiling_threads_by_label_only(client, spoiling_thread):
    response = board_feed(client, "episode-9")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = response.content.decode()
    assert SECRET_TITLE not in feed
    assert SECRET_BODY not in feed
    [(title, description, link)] = items(response)
    assert title == "Spoiler for episode 9"
    assert description == (
        "Spoiler for episode 9. A thread by "
        f"{spoiling_thread.author.public_name} on the Episode 9 board. Read it on the site."
    )
    assert link == f"http://testserver{spoiling_thread.get_absolute_url()}"
    assert "<category>Episode 9</category>" in feed


def test_board_feed_shows_level_free_threads_with_inline_spoilers_covered(client, safe_thread):
    raised = ThreadFactory(
        board=board("general"), title=SECRET_TITLE, body=SECRET_BODY, spoils_episode=9
    )

    response = board_feed(client, "general")

    feed = response.content.decode()
    assert INLINE_SECRET not in feed
    assert SECRET_TITLE not in feed
    assert SECRET_BODY not in feed
    assert items(response) == [
        (
            "Spoiler for episode 9",
            f"Spoiler for episode 9. A thread by {raised.author.public_name} on the "
            "General discussion board. Read it on the site.",
            f"http://testserver{raised.get_absolute_url()}",
        ),
        (
            "Favourite school in K-drama",
            "Hyosan High, easily. [spoiler] though.",
            f"http://testserver{safe_thread.get_absolute_url()}",
        ),
    ]
    assert channel_title(response) == "General discussion · new threads · Hyosan Survivors"


def test_thread_feed_of_a_spoiling_thread_is_titled_by_its_label(client, spoiling_thread):
    response = thread_feed(client, spoiling_thread)

    assert response.status_code == HTTPStatus.OK
    feed = response.content.decode()
    for secret in (SECRET_TITLE, SECRET_BODY, SECRET_REPLY):
        assert secret not in feed
    assert channel_title(response) == "Spoiler for episode 9 · Episode 9 · Hyosan Survivors"
    entries = items(response)
    assert len(entries) == 2
    opener = Comment.objects.filter(thread=spoiling_thread).order_by("pk").first()
    # Newest first; the opening post is the last item.
    title, description, link = entries[-1]
    assert title == "Spoiler for episode 9"
    assert description.startswith("Spoiler for episode 9. A comment by ")
    assert "on the Episode 9 board" in description
    assert link == f"http://testserver{opener.get_absolute_url()}"


def test_thread_feed_shows_level_free_comments_and_gates_the_rest(client, safe_thread):
    response = thread_feed(client, safe_thread)

    feed = response.content.decode()
    assert INLINE_SECRET not in feed
    assert SECRET_REPLY not in feed
    assert channel_title(response) == (
        "Favourite school in K-drama · General discussion · Hyosan Survivors"
    )
    spoiling, block, opener = items(response)
    assert spoiling[0] == "Spoiler for episode 9"
    assert spoiling[1].startswith("Spoiler for episode 9. A comment by ")
    assert block[0].endswith(" on “Favourite school in K-drama”")
    assert block[1] == "Agreed. [spoiler] Still a great set."
    assert opener[1] == "Hyosan High, easily. [spoiler] though."


def test_feeds_escape_text_for_feed_readers_that_render_html(client):
    thread = ThreadFactory(board=board("general"), body="I <3 this show & <b>Cheongsan</b>")

    [(_title, description, _link)] = items(board_feed(client, "general"))
    [(_title, comment_description, _link)] = items(thread_feed(client, thread))

    # A reader renders descriptions as HTML: the text must reach it escaped.
    assert description == "I &lt;3 this show &amp; &lt;b&gt;Cheongsan&lt;/b&gt;"
    assert comment_description == description


def test_hidden_threads_and_comments_never_reach_a_feed(client, safe_thread):
    hidden = ThreadFactory(board=board("general"), title="Hidden by moderators")
    Thread.objects.filter(pk=hidden.pk).update(is_hidden=True)
    hidden_comment = reply(safe_thread, body="A hidden comment")
    removed_comment = reply(safe_thread, body="A removed comment")
    Comment.objects.filter(pk=hidden_comment.pk).update(is_hidden=True)
    Comment.objects.filter(pk=removed_comment.pk).update(is_removed=True)

    assert "Hidden by moderators" not in board_feed(client, "general").content.decode()
    assert thread_feed(client, hidden).status_code == HTTPStatus.NOT_FOUND
    feed = thread_feed(client, safe_thread).content.decode()
    assert "A hidden comment" not in feed
    assert "A removed comment" not in feed
    assert len(items(thread_feed(client, safe_thread))) == 3


def test_a_thread_whose_opening_post_is_hidden_says_only_where_it_is(client):
    thread = ThreadFactory(board=board("general"), title="Safe title", body="Rule-breaking post")
    Comment.objects.filter(thread=thread).update(is_hidden=True)

    [(title, description, _link)] = items(board_feed(client, "general"))

    assert title == "Safe title"
    assert description == "A thread on the General discussion board."


def test_feeds_are_cacheable_by_anyone(client, safe_thread):
    for response in (board_feed(client, "general"), thread_feed(client, safe_thread)):
        assert response.status_code == HTTPStatus.OK
        assert "public" in response["Cache-Control"]
        assert "max-age=300" in response["Cache-Control"]
        assert response.has_header("Last-Modified")
        assert not response.cookies


def test_unknown_board_and_thread_have_no_feed(client):
    assert board_feed(client, "no-such-board").status_code == HTTPStatus.NOT_FOUND
    response = client.get(reverse("threads:thread_feed", args=[999_999]))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("count", [3, 30])
def test_board_feed_query_count_is_constant(client, django_assert_max_num_queries, count):
    for number in range(count):
        ThreadFactory(board=board("theories"), spoils_episode=9 if number % 2 else 0)
    # The board, its threads, their opening posts; and the syndication framework's
    # Site, which it caches for the process.
    with django_assert_max_num_queries(4):
        response = board_feed(client, "theories")
    assert len(items(response)) == min(count, 20)


@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("count", [3, 30])
def test_thread_feed_query_count_is_constant(client, django_assert_max_num_queries, count):
    thread = ThreadFactory(board=board("general"))
    for number in range(count):
        reply(thread, body=f"Reply {number}", spoils_episode=9 if number % 2 else None)
    # The thread, its comments, and the Site (cached for the process).
    with django_assert_max_num_queries(3):
        response = thread_feed(client, thread)
    assert len(items(response)) == min(count + 1, 20)


def test_board_page_links_to_its_feed(client):
    response = client.get(board("episode-9").get_absolute_url())

    url = reverse("threads:board_feed", args=["episode-9"])
    assert re.search(
        rf'<link rel="alternate" type="application/rss\+xml" title="[^"]+" href="{url}">',
        response.text,
    )
    assert f'<a href="{url}" type="application/rss+xml">' in response.text


def test_thread_page_links_to_its_feed_without_its_title(client, spoiling_thread):
    response = client.get(spoiling_thread.get_absolute_url())

    url = reverse("threads:thread_feed", args=[spoiling_thread.pk])
    link = re.search(
        rf'<link rel="alternate" type="application/rss\+xml" title="([^"]+)" href="{url}">',
        response.text,
    )
    assert link
    assert link.group(1) == "New comments in this thread"
    assert f'href="{url}" type="application/rss+xml">' in response.text
    assert SECRET_TITLE not in response.text
