"""Issue 13, item 6: a member whose post someone else re-tagged is told, with the reason.

A message on their next page (once), and a list on their own profile. The notice
obeys the spoiler gate for its recipient: it names the new episode, the board and
the reason, never a thread title beyond the recipient's progress.
"""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fansite.comments.services import LevelChange
from fansite.moderation import services
from fansite.moderation.models import LevelChangeNotice
from fansite.moderation.notices import notify_level_change
from tests.users.factories import UserFactory

from .helpers import ThreadFactory, board, make_moderator
from .test_retag_thread import retag_in_the_admin

pytestmark = pytest.mark.django_db

TITLE = "The principal's secret in the title grebe-6620"
COMMENT = "My harmless comment about the lockdown wren-1184"
REASON = "Names who is infected in the finale"


@pytest.fixture
def moderator():
    return make_moderator(username="notice_mod")


def comment_on(thread, author, body=COMMENT, **kwargs):
    from fansite.comments.services import post_comment

    return post_comment(target=thread, author=author, body=body, **kwargs)


def messages_on(response):
    return [str(message) for message in response.context["messages"]]


def home(client):
    return client.get(reverse("threads:board_list"))


def test_the_author_is_told_once_on_their_next_page_with_the_reason(client, moderator):
    author = UserFactory(watched_up_to=12)
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    comment = comment_on(thread, author)
    client.force_login(author)
    assert not messages_on(home(client))

    services.respoil_item(item=comment, episode_position=9, moderator=moderator, reason=REASON)

    shown = home(client).text
    assert "A moderator changed the spoiler episode of your comment" in shown
    assert "from episode 3 to episode 9" in shown
    assert f"Reason: {REASON}" in shown
    assert "on the Episode 3 board" in shown
    # Once: the next page says nothing more.
    assert "your comment" not in home(client).text
    notice = LevelChangeNotice.objects.get()
    assert notice.seen_at is not None
    author.refresh_from_db()
    assert author.unseen_notices == 0


def test_a_moderator_retag_in_the_admin_tells_every_author_once(client, moderator):
    opener = UserFactory(watched_up_to=12)
    commenter = UserFactory(watched_up_to=12)
    thread = ThreadFactory(board=board("episode-3"), author=opener, title=TITLE)
    for number in range(3):
        comment_on(thread, commenter, body=f"{COMMENT} {number}")
    comment_on(thread, opener, body="The opener answers")

    retag_in_the_admin(thread, moderator, 9)

    notices = {n.recipient: n for n in LevelChangeNotice.objects.all()}
    assert set(notices) == {opener, commenter}
    assert notices[opener].thread == thread
    assert notices[opener].comment_count == 1
    assert notices[commenter].comment_count == 3
    client.force_login(commenter)
    html = home(client).text
    assert "so 3 of your comments in it now spoil up to episode 9 too" in html
    client.force_login(opener)
    html = home(client).text
    assert "changed the spoiler episode of your thread" in html
    assert "1 of your comments in it rose with it" in html


@pytest.mark.parametrize("progress", [3, 11])
def test_the_notice_keeps_the_thread_title_from_a_commenter_behind_it(client, moderator, progress):
    commenter = UserFactory(watched_up_to=progress)
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    comment_on(thread, commenter)
    services.respoil_item(item=thread, episode_position=12, moderator=moderator, reason=REASON)
    client.force_login(commenter)

    message = home(client).text
    profile = client.get(commenter.get_absolute_url()).text

    for html in (message, profile):
        assert TITLE not in html
        assert "raised the spoiler episode of a thread on the Episode 3 board" in html
        assert "now spoils up to episode 12 too" in html
        assert REASON in html


def test_a_commenter_caught_up_reads_the_thread_title_in_the_notice(client, moderator):
    commenter = UserFactory(watched_up_to=12)
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    comment_on(thread, commenter)
    services.respoil_item(item=thread, episode_position=12, moderator=moderator)
    client.force_login(commenter)

    message = home(client).text
    profile = client.get(commenter.get_absolute_url()).text

    for html in (message, profile):
        # Escaped, as everything a member writes.
        assert "The principal&#x27;s secret in the title grebe-6620" in html


def test_the_profile_lists_the_changes_only_to_their_owner(client, moderator):
    author = UserFactory(watched_up_to=12)
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    comment = comment_on(thread, author)
    services.respoil_item(item=comment, episode_position=9, moderator=moderator, reason=REASON)

    client.force_login(author)
    home(client)  # the message is shown and marked seen; the list stays
    own = client.get(author.get_absolute_url()).text
    assert "Changes to your spoiler tags" in own
    assert REASON in own

    client.force_login(UserFactory(watched_up_to=12))
    other = client.get(author.get_absolute_url()).text
    assert "Changes to your spoiler tags" not in other
    assert REASON not in other
    client.logout()
    assert REASON not in client.get(author.get_absolute_url()).text


def test_a_cached_page_does_not_swallow_the_notice(client):
    author = UserFactory(watched_up_to=12)
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    comment = comment_on(thread, author)
    client.force_login(author)
    url = thread.get_absolute_url()
    client.get(url)
    assert client.get(url).headers["X-Page-Cache"] == "hit"

    # No log entry here, so no cached page is dropped: only the notice can stop the hit.
    notify_level_change(
        change=LevelChange(item=comment, before=3, after=9),
        cause=LevelChangeNotice.Cause.GUARD,
        reason=REASON,
    )

    response = client.get(url)
    assert response.headers.get("X-Page-Cache") != "hit"
    assert "A spoiler guard changed the spoiler episode of your comment" in response.text
    # Shown once; the page is served from the cache again afterwards.
    again = client.get(url)
    assert "A spoiler guard changed" not in again.text


def test_nobody_is_told_about_their_own_change_or_a_change_that_changes_nothing(client, moderator):
    thread = ThreadFactory(board=board("episode-3"), author=moderator, title=TITLE)

    services.respoil_item(item=thread, episode_position=9, moderator=moderator)
    services.respoil_item(item=thread, episode_position=9, moderator=moderator)

    assert not LevelChangeNotice.objects.exists()


def test_pages_without_notices_take_no_extra_query(client, django_assert_max_num_queries):
    member = UserFactory(watched_up_to=12)
    client.force_login(member)
    url = reverse("threads:board_list")
    client.get(url)
    client.get(url)  # cached now

    # The session and the member: the notices counter comes with the member.
    with django_assert_max_num_queries(2):
        assert client.get(url).status_code == HTTPStatus.OK


def test_the_profile_takes_as_many_queries_with_ten_notices_as_with_one(
    client, moderator, django_assert_max_num_queries
):
    author = UserFactory(watched_up_to=12)
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    comments = [comment_on(thread, author, body=f"{COMMENT} {n}") for n in range(10)]
    services.respoil_item(item=comments[0], episode_position=5, moderator=moderator)
    client.force_login(author)
    home(client)
    client.get(author.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        client.get(author.get_absolute_url())
    with_one = len(one.captured_queries)
    assert with_one <= 12

    for comment in comments[1:]:
        services.respoil_item(item=comment, episode_position=5, moderator=moderator)
    for _ in range(2):
        home(client)  # five messages a page
    with django_assert_max_num_queries(with_one):
        html = client.get(author.get_absolute_url()).text
    assert html.count("from episode 3 to episode 5") == 10


def test_moving_a_thread_onto_a_later_episode_board_tells_its_authors(client, moderator):
    opener = UserFactory(watched_up_to=12)
    commenter = UserFactory(watched_up_to=2)
    thread = ThreadFactory(board=board("episode-2"), author=opener, title=TITLE)
    comment_on(thread, commenter)

    services.move_thread(thread=thread, board=board("episode-8"), moderator=moderator)

    notices = {n.recipient: n for n in LevelChangeNotice.objects.all()}
    assert set(notices) == {opener, commenter}
    assert notices[opener].thread == thread
    assert (notices[commenter].comment_count, notices[commenter].level_after) == (1, 8)
    client.force_login(commenter)
    html = home(client).text
    assert "raised the spoiler episode of a thread on the Episode 8 board" in html
    assert TITLE not in html


def test_a_thread_author_behind_the_new_level_is_told_without_the_title(client, moderator):
    opener = UserFactory(watched_up_to=3)
    thread = ThreadFactory(board=board("episode-3"), author=opener, title=TITLE)
    services.respoil_item(item=thread, episode_position=10, moderator=moderator, reason=REASON)
    client.force_login(opener)

    html = home(client).text

    assert (
        "A moderator changed the spoiler episode of your thread on the Episode 3 board "
        "from episode 3 to episode 10."
    ) in html
    assert TITLE not in html
    profile = client.get(opener.get_absolute_url()).text
    assert "your thread on the Episode 3 board" in profile
    # The profile's own thread list gates the title too: only the notice is checked here.
    assert "your thread “" not in profile


def test_mark_as_spoiler_in_the_report_queue_tells_the_author_why(client, moderator):
    author = UserFactory(watched_up_to=12)
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    comment = comment_on(thread, author)
    services.report_item(reporter=UserFactory(), item=comment, reason="spoiler")
    client.force_login(moderator)
    url = reverse("admin:moderation_report_queue_act", args=["comment", comment.pk])
    assert 'name="reason" id="comment-' in client.get(reverse("admin:moderation_report_queue")).text

    client.post(url, {"action": "respoil", "episode": 8, "reason": REASON})

    client.force_login(author)
    html = home(client).text
    assert "from episode 3 to episode 8" in html
    assert REASON in html
