"""Re-tagging a thread upward carries its comments (issue 13, item 5).

A thread on the episode 3 board turns out to spoil episode 9, and a moderator
raises it. Its comments were written in a thread that now counts as spoiling
that far, so they rise with it: a reader at episode 3 gets the text of none of
them, wherever it shows (the thread, a comment's permalink, the replies page,
the authors' profiles), and cached pages or comment cards from before do not
bring it back. Lowering the thread later leaves the comments where they are.
"""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.comments.services import post_comment, start_thread
from fansite.moderation import services
from fansite.moderation.models import ModerationLog
from fansite.threads.models import Thread
from tests.comments.factories import CommentFactory
from tests.spoilers.readers import as_reader, revealing
from tests.users.factories import UserFactory

from .helpers import board, log_entries, make_moderator, only_log_entry

pytestmark = pytest.mark.django_db

TITLE = "Retagged title heron-5521"
OPENING = "Opening post ibis-7730"
COMMENT = "Top comment marmot-3348"
REPLY = "Nested reply lemur-9904"
LATER = "Later comment civet-2261"  # spoils episode 12 from the start
SECRETS = (TITLE, OPENING, COMMENT, REPLY)
LABEL = "Spoiler for episode 9"


@pytest.fixture
def moderator():
    return make_moderator(username="retag_mod")


@pytest.fixture
def content():
    opener = UserFactory(username="retag_opener", watched_up_to=12)
    commenter = UserFactory(username="retag_commenter", watched_up_to=12)
    replier = UserFactory(username="retag_replier", watched_up_to=12)
    thread = start_thread(board=board("episode-3"), author=opener, title=TITLE, body=OPENING)
    comment = post_comment(target=thread, author=commenter, body=COMMENT)
    nested = post_comment(target=thread, author=replier, body=REPLY, parent=comment)
    later = post_comment(target=thread, author=commenter, body=LATER, spoils_episode=12)
    return {
        "thread": thread,
        "opening": thread.comments.order_by("pk").first(),
        "comment": comment,
        "nested": nested,
        "later": later,
        "opener": opener,
        "commenter": commenter,
        "replier": replier,
    }


def retag_with_the_service(thread, moderator, position):
    services.respoil_item(item=thread, episode_position=position, moderator=moderator)


def retag_in_the_admin(thread, moderator, position):
    """The moderator's own browser: the thread list's "Change the spoiler episode…"."""
    client = Client()
    client.force_login(moderator)
    url = reverse("admin:threads_thread_changelist")
    data = {"action": "respoil_threads", "_selected_action": [thread.pk]}
    assert client.post(url, data).status_code == HTTPStatus.OK  # the intermediate page
    response = client.post(url, {**data, "episode": str(position), "apply": "yes"}, follow=True)
    assert "Changed the spoiler episode of 1 thread." in response.text


RETAG = pytest.mark.parametrize(
    "retag", [retag_with_the_service, retag_in_the_admin], ids=["service", "admin"]
)


def pages(content):
    """Every page where the thread's posts show, with what a reader at episode 9
    sees there."""
    replies = reverse("comments:comment_replies", kwargs={"pk": content["comment"].pk})
    return {
        "thread": (content["thread"].get_absolute_url(), set(SECRETS)),
        "comment permalink": (content["comment"].get_absolute_url(), set(SECRETS)),
        "reply permalink": (content["nested"].get_absolute_url(), set(SECRETS)),
        "replies": (replies, {COMMENT, REPLY}),
        "opener's profile": (content["opener"].get_absolute_url(), {TITLE, OPENING}),
        "commenter's profile": (content["commenter"].get_absolute_url(), {COMMENT}),
        "replier's profile": (content["replier"].get_absolute_url(), {REPLY}),
    }


def html_of(client, url):
    response = client.get(url, follow=True)  # permalinks redirect to their page
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def levels(content):
    names = ("opening", "comment", "nested", "later")
    found = dict(Comment.objects.values_list("pk", "spoils_episode"))
    return {name: found[content[name].pk] for name in names}


@RETAG
@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_raising_a_thread_hides_all_its_comments_from_a_reader_behind(
    client, content, moderator, retag, kind
):
    as_reader(client, kind, 3)
    urls = pages(content)
    # Before: all of it is episode 3, and the pages (and cards) are now cached.
    for name, (url, _shown_at_nine) in urls.items():
        html = html_of(client, url)
        assert LATER not in html
        if name == "thread":
            assert all(secret in html for secret in SECRETS)

    retag(content["thread"], moderator, 9)

    for name, (url, _shown_at_nine) in urls.items():
        html = html_of(client, url)
        for secret in (*SECRETS, LATER):
            assert secret not in html, f"{secret!r} leaked on the {name} page"
        assert LABEL in html, f"no placeholder on the {name} page"


@RETAG
@pytest.mark.parametrize("kind", ["member", "visitor"])
def test_a_reader_at_the_new_level_still_sees_them(client, content, moderator, retag, kind):
    retag(content["thread"], moderator, 9)
    as_reader(client, kind, 9)

    for name, (url, shown) in pages(content).items():
        html = html_of(client, url)
        for secret in shown:
            assert secret in html, f"{secret!r} missing on the {name} page"
        assert LATER not in html, f"the episode 12 comment leaked on the {name} page"


@RETAG
def test_comments_rise_to_the_thread_and_those_above_keep_their_level(content, moderator, retag):
    retag(content["thread"], moderator, 9)

    content["thread"].refresh_from_db()
    assert content["thread"].spoils_episode_id == 9
    assert levels(content) == {"opening": 9, "comment": 9, "nested": 9, "later": 12}


@RETAG
def test_one_log_entry_counts_the_comments_raised(content, moderator, retag):
    retag(content["thread"], moderator, 9)

    entry = only_log_entry()
    assert entry.action == ModerationLog.Action.RESPOIL
    assert entry.moderator == moderator
    assert (entry.target_type, entry.target_id) == ("thread", content["thread"].pk)
    assert entry.before == {
        "spoils_episode": 3,
        "opening_post_spoils_episode": 3,
        "comments_raised": 0,
    }
    assert entry.after == {
        "spoils_episode": 9,
        "opening_post_spoils_episode": 9,
        "comments_raised": 2,
    }


@RETAG
def test_lowering_the_thread_again_leaves_its_comments_raised(client, content, moderator, retag):
    retag(content["thread"], moderator, 9)
    retag(content["thread"], moderator, 3)

    # The opening post is the thread's own text and follows it; the others stay.
    assert levels(content) == {"opening": 3, "comment": 9, "nested": 9, "later": 12}
    lowered = log_entries()[-1]
    assert lowered.before == {
        "spoils_episode": 9,
        "opening_post_spoils_episode": 9,
        "comments_raised": 0,
    }
    assert lowered.after == {
        "spoils_episode": 3,
        "opening_post_spoils_episode": 3,
        "comments_raised": 0,
    }
    html = html_of(as_reader(client, "member", 3), content["thread"].get_absolute_url())
    assert TITLE in html
    assert OPENING in html
    assert COMMENT not in html
    assert REPLY not in html


def test_a_comment_a_moderator_set_below_its_thread_rises_only_when_the_thread_does(
    content, moderator
):
    thread, comment = content["thread"], content["comment"]
    retag_with_the_service(thread, moderator, 9)
    services.respoil_item(item=comment, episode_position=3, moderator=moderator)

    assert not services.respoil_item(item=thread, episode_position=9, moderator=moderator)
    assert levels(content)["comment"] == 3
    assert len(log_entries()) == 2

    retag_with_the_service(thread, moderator, 10)
    assert levels(content) == {"opening": 10, "comment": 10, "nested": 10, "later": 12}


def test_cached_pages_and_comment_cards_do_not_outlive_the_retag(client, content, moderator):
    thread, comment = content["thread"], content["comment"]
    as_reader(client, "visitor", 3)
    client.get(thread.get_absolute_url())  # shows the "progress saved" message: not cached
    assert client.get(thread.get_absolute_url()).headers["X-Page-Cache"] == "miss"
    assert client.get(thread.get_absolute_url()).headers["X-Page-Cache"] == "hit"
    # A visitor's visible comment card is cached too; at episode 3 it carries no note.
    revealed = revealing(client, thread.get_absolute_url(), comment)
    assert "shown at your request" not in client.get(revealed).text

    services.respoil_item(item=thread, episode_position=9, moderator=moderator)

    response = client.get(thread.get_absolute_url())
    assert response.headers["X-Page-Cache"] == "miss"
    for secret in SECRETS:
        assert secret not in response.text
    # Revealed on purpose, the comment's card is drawn afresh at its new level.
    html = client.get(revealed).text
    assert COMMENT in html
    assert html.count("Spoiler for episode 9, shown at your request") == 1
    assert REPLY not in html


@pytest.mark.parametrize("count", [2, 60])
def test_the_retag_takes_as_many_queries_for_sixty_comments_as_for_two(
    django_assert_max_num_queries, count
):
    moderator = make_moderator()
    thread = start_thread(
        board=board("episode-3"), author=UserFactory(), title="Busy thread", body="Opening."
    )
    CommentFactory.create_batch(count, thread=thread, author=UserFactory())

    # Permissions (2), episode, thread lock, opening post, the raised comments' ids and
    # authors, 3 UPDATEs, the log entry, the authors' notices and their counters, and the
    # savepoint around them, the author's notification line, search's level hints
    # dropped (one UPDATE): none of it per comment.
    with django_assert_max_num_queries(16):
        services.respoil_item(item=thread, episode_position=9, moderator=moderator)

    assert set(thread.comments.values_list("spoils_episode", flat=True)) == {9}
    assert only_log_entry().after["comments_raised"] == count


def test_a_comment_posted_while_the_thread_is_raised_lands_at_the_new_level(content, moderator):
    """The page that posts was drawn before the re-tag: its thread still says
    episode 3. The comment takes the thread's level as it is when it is stored."""
    stale = Thread.objects.get(pk=content["thread"].pk)
    services.respoil_item(item=content["thread"], episode_position=9, moderator=moderator)

    comment = post_comment(target=stale, author=content["commenter"], body="Posted mid-retag")

    assert comment.spoiler_level == 9
    assert Comment.objects.get(pk=comment.pk).spoils_episode_id == 9
