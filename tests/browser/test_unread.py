"""Journey: a member reads a thread, another member posts, and the first finds
what is new: "N new" on the board, "jump to first unread" to the right comment on
the right page, "Jump to latest", and the thread in newest-first order."""

import re

import pytest

from tests.browser.page_tools import sign_in_with_cookie
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_member_finds_new_comments_from_the_board(
    live_server, page, problems, check_accessibility, settings, relaxed_posting_limits
):
    settings.COMMENTS_PER_PAGE = 3
    reader = UserFactory(watched_up_to=12)
    thread = ThreadFactory(board=board("theories"), title="Who survives the gym?")
    for n in range(4):
        reply(thread, body=f"Read before {n}")
    sign_in_with_cookie(page, live_server, reader)

    # The reader reads both pages (opening post + 4 comments, 3 a page).
    page.goto(live_server.url + thread.get_absolute_url())
    check_accessibility()
    page.goto(live_server.url + thread.get_absolute_url() + "?page=2")
    assert page.get_by_text("Read before 3").is_visible()

    # Another member replies four times: one more on page 2, three on page 3.
    writer = UserFactory()
    new = [reply(thread, body=f"Posted later {n}", author=writer) for n in range(4)]

    page.goto(live_server.url + board("theories").get_absolute_url())
    check_accessibility()
    row = page.locator(f"#thread-{thread.pk}")
    jump = row.get_by_role("link", name=re.compile(r"^4 new"))
    assert jump.is_visible()

    jump.click()
    page.wait_for_url(f"**{thread.get_absolute_url()}?page=2#comment-{new[0].pk}")
    first_new = page.locator(f"#comment-{new[0].pk}")
    assert first_new.is_visible()
    assert first_new.evaluate("el => el.matches(':target')")
    divider = page.get_by_text("New since your last visit")
    assert divider.is_visible()
    # The divider sits just before the first new comment, after what was read.
    assert divider.evaluate(
        "(el, id) => !!(el.compareDocumentPosition(document.getElementById(id))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)",
        f"comment-{new[0].pk}",
    )
    check_accessibility()

    page.get_by_role("link", name="Jump to latest").click()
    page.wait_for_url(f"**{thread.get_absolute_url()}?page=3#comment-{new[-1].pk}")
    assert page.locator(f"#comment-{new[-1].pk}").is_visible()

    # Everything is read now: the board says nothing is new.
    page.goto(live_server.url + board("theories").get_absolute_url())
    assert page.locator(f"#thread-{thread.pk} .unread-count").count() == 0

    # Newest first puts the latest comment at the top of page 1.
    page.goto(live_server.url + thread.get_absolute_url())
    page.get_by_role("link", name="Newest first").click()
    page.wait_for_url("**?sort=newest")
    comments = page.locator("ol.comment-list > li > article.comment")
    assert comments.first.get_attribute("id") == f"comment-{new[-1].pk}"
    check_accessibility()
