"""Issue 13: quoting a spoiler keeps it hidden, in the compose box and in the posted reply."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.page_tools import log_in
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INLINE_SECRET = "Nam-ra bites the bully"
BLOCK_SECRET = "Cheong-san stays behind"


@pytest.fixture(autouse=True)
def _fail_fast(page):
    page.set_default_timeout(10_000)


def comment_card(page, text):
    return page.locator("article.comment").filter(has_text=text)


def test_quoting_a_spoiler_keeps_it_hidden_in_the_compose_box_and_the_reply(
    live_server, page, problems, check_accessibility
):
    joined = timezone.now() - timedelta(days=3)
    thread = ThreadFactory(board=board("episode-3"), title="The gym scene")
    source = reply(
        thread,
        author=UserFactory(username="cheongsan", date_joined=joined),
        body=(
            f"Remember the roof? >!{INLINE_SECRET}!< Brutal.\n\n"
            f":::spoiler What happens at the gym\n{BLOCK_SECRET}.\n:::"
        ),
    )
    member = UserFactory(username="onjo", watched_up_to=3, date_joined=joined)
    log_in(page, live_server.url, member, next_path=thread.get_absolute_url())

    # Quote: the compose box holds the spoilers' markup around references, not their text.
    comment_card(page, "Remember the roof").get_by_role("link", name="Quote").click()
    body = page.get_by_label("Your comment")
    expect(body).to_have_value(re.compile(rf">!⟦spoiler 1 of comment {source.pk}⟧!<"))
    expect(body).to_have_value(
        re.compile(rf"> :::spoiler What happens at the gym\n> ⟦spoiler 2 of comment {source.pk}⟧")
    )
    expect(body).not_to_have_value(re.compile(INLINE_SECRET))
    expect(body).not_to_have_value(re.compile(BLOCK_SECRET))
    check_accessibility()

    body.press("Control+End")
    body.type("Still thinking about it.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post reply").click()
    page.reload()
    check_accessibility()

    # The posted reply: both quoted spoilers are there, closed until the reader opens them.
    quote = comment_card(page, "Still thinking about it").locator("blockquote")
    inline = quote.get_by_text(INLINE_SECRET)
    block = quote.get_by_text(BLOCK_SECRET)
    expect(inline).to_be_hidden()
    expect(block).to_be_hidden()
    quote.get_by_text("Spoiler", exact=True).click()
    expect(inline).to_be_visible()
    expect(block).to_be_hidden()
    quote.get_by_text("Spoiler: What happens at the gym").click()
    expect(block).to_be_visible()
    check_accessibility()
