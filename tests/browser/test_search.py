"""Journey: search from the header for a romanised name and find a Korean post;
as a reader at episode 3, see no episode-9 result; include spoilers and see gates,
without their text; phone and dark screenshots."""

import pytest

from fansite.spoilers.levels import NO_SPOILERS
from tests.browser.page_tools import sign_in_with_cookie
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 740}
SECRET = "Cheongsanwaits"


@pytest.fixture
def posts(db):
    thread = ThreadFactory(
        board=board("general"),
        title="The nametag scene",
        body="Which moment stayed with you?",
        spoils_episode=NO_SPOILERS,
    )
    korean = reply(thread, body="온조가 명찰을 건네는 장면", spoils_episode=NO_SPOILERS)
    gated = ThreadFactory(
        board=board("episode-9"), title=f"{SECRET} on the roof", body=f"{SECRET} again"
    )
    return korean, gated


def test_a_reader_searches_from_the_header_and_never_meets_a_later_episode(
    live_server, page, problems, check_accessibility, screenshot, posts
):
    korean, _gated = posts
    sign_in_with_cookie(page, live_server, UserFactory(watched_up_to=3))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server.url + "/")

    # A romanised name, typed in the header, finds the Korean post.
    box = page.get_by_role("search").first.get_by_label("Search the site")
    box.fill("Nam Onjo")
    box.press("Enter")
    page.wait_for_url("**/search/?q=Nam+Onjo")
    result = page.locator(".search-result", has_text="명찰")
    assert result.count() == 1
    assert result.locator("mark").first.inner_text() == "온조"
    result.get_by_role("link").click()
    page.wait_for_url(f"**#comment-{korean.pk}")
    check_accessibility()

    # At episode 3, the episode-9 thread is not there at all.
    page.goto(f"{live_server.url}/search/?q={SECRET}")
    assert page.get_by_role("status").filter(has_text="0 results").count() == 1
    results = page.locator("main").inner_text().split("0 results", 1)[1]
    assert SECRET.lower() not in results.lower()

    # Asked for, it comes back as a gate: no title, no text, nothing marked.
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Include spoilers for later episodes").check()
    page.get_by_role("button", name="Search", exact=True).last.click()
    gate = page.locator(".search-result--gated")
    gate.wait_for()
    assert "Spoiler for episode 9" in gate.inner_text()
    assert SECRET.lower() not in gate.inner_text().lower()
    assert page.locator(".search-results mark").count() == 0
    check_accessibility()

    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    screenshot("search-gates-phone-dark")


def test_the_phone_menu_holds_the_search_box(live_server, page, problems, screenshot, posts):
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    page.goto(live_server.url + "/")
    page.locator(".site-menu__toggle").click()
    box = page.get_by_label("Search the site")
    box.fill("명찰")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".search-result").count() == 1
    screenshot("search-korean-phone-dark")
