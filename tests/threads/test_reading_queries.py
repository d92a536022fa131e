"""Pages with read tracking on run a constant number of queries whatever the number
of threads and comments (docs/reading.md has the figures before and after)."""

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.threads.models import ThreadRead
from tests.users.factories import UserFactory

from .factories import ThreadFactory, board

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_posting_limits")]


@pytest.fixture(params=[1, 30], ids=["1-thread", "30-threads"])
def busy_board(request, client):
    """A member with a marker on every thread of the episode 3 board, and comments by
    others since on each, so every row has a count to show."""
    member = UserFactory(watched_up_to=12)
    threads = ThreadFactory.create_batch(request.param, board=board("episode-3"))
    ThreadRead.objects.bulk_create(
        ThreadRead(member=member, thread=thread, last_seen_comment_id=0) for thread in threads
    )
    others = UserFactory.create_batch(3)
    Comment.objects.bulk_create(
        Comment(thread=thread, author=others[n % 3], body=f"Later {n}", body_html=f"<p>{n}</p>")
        for thread in threads
        for n in range(request.param)
    )
    client.force_login(member)
    return threads


# The first page after the cache was emptied also counts the member's unread
# notifications and, on thread and board pages, reads their follows: two queries that
# later pages do not make (docs/notifications.md, "The header count"). Lists read
# what is new to the member in one query of their own, after the cache (+ 1).
@pytest.mark.parametrize(
    ("page", "most"),
    [
        (lambda threads: reverse("articles:article_list"), 7 + 1),
        (lambda threads: board("episode-3").get_absolute_url(), 6 + 2 + 1),
        # The episode page also reads its ratings' summary.
        (lambda threads: reverse("episodes:episode_detail", args=[3]), 5 + 1 + 1),
        # The marker is read with the thread; moving it is the one write. With the
        # cache empty, reactions read their kinds, the counts and the member's own
        # (fansite/reactions/state.py): three more, whatever the number of comments.
        (lambda threads: threads[0].get_absolute_url(), 9 + 2 + 3),
    ],
    ids=["home", "board", "episode", "thread"],
)
def test_member_pages_with_markers_stay_constant(
    client, busy_board, django_assert_max_num_queries, page, most
):
    with django_assert_max_num_queries(most):
        response = client.get(page(busy_board))

    assert response.status_code == 200
    assert "unread-count" in response.text or "New since your last visit" in response.text
