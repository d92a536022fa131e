"""Journey: a member follows a chained reveal link another member posted, and is not
spoiled. The link asks to reveal every gated post on a thread; the reader lands
on a page saying which episodes it would spoil, goes back to the thread without
them, and then reveals one post themselves with its Show button."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board
from tests.browser.page_tools import sign_in_with_cookie
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EP9 = "Episode nine secret kinkajou-3318"
EP12 = "Finale secret binturong-7720"


def test_a_chained_reveal_link_from_another_member_does_not_spoil(
    live_server, page, problems, check_accessibility
):
    old = timezone.now() - timedelta(days=30)
    teller = UserFactory(username="teller", watched_up_to=12, date_joined=old)
    spoiled = start_thread(
        board=Board.objects.get(slug="episode-2"),
        author=teller,
        title="Episode 2 chat",
        body="Plain talk.",
    )
    ep9 = post_comment(target=spoiled, author=teller, body=EP9, spoils_episode=9)
    ep12 = post_comment(target=spoiled, author=teller, body=EP12, spoils_episode=12)
    link = f"{spoiled.get_absolute_url()}?reveal={ep9.reveal_key}&reveal={ep12.reveal_key}"
    bait = start_thread(
        board=Board.objects.get(slug="general"),
        author=UserFactory(username="prankster", date_joined=old),
        title="Cute cats",
        body=f"[Look at this cat]({link})",
    )
    sign_in_with_cookie(page, live_server, UserFactory(watched_up_to=3))

    page.goto(live_server.url + bait.get_absolute_url())
    page.get_by_role("link", name="Look at this cat").click()

    page.wait_for_url("**?reveal=*")
    assert page.get_by_role("heading", name="Show spoilers?").is_visible()
    assert page.get_by_text("This link would show spoilers for episodes 9 and 12.").is_visible()
    check_accessibility()
    for secret in (EP9, EP12):
        assert secret not in page.content()

    page.get_by_role("link", name="Go to the page without them").click()
    page.wait_for_url(f"**{spoiled.get_absolute_url()}")
    assert page.get_by_text("Spoiler for episode 9", exact=True).is_visible()
    for secret in (EP9, EP12):
        assert secret not in page.content()

    # The reader's own Show button reveals that one post, and only for them.
    page.get_by_role("button", name="Show spoiler for episode 9").click()
    page.wait_for_url("**?reveal=*")
    assert page.get_by_text(EP9).is_visible()
    assert EP12 not in page.content()
