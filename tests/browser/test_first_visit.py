"""A first-time visitor answers "How far have you watched?" on the panel above the
content; the home page then shows real thread titles up to that episode and the
rest as one entry of gates. With JavaScript off, "Not now" and the answers work
the same; on a phone the panel leaves the content on the first screen."""

import pytest
from playwright.sync_api import expect

from fansite.threads.models import Thread
from tests.browser.page_tools import allow_axe_without_javascript
from tests.threads.factories import ThreadFactory, board

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SEEN = "Barricading the science lab"  # episode 2: shown once they say episode 3
SECRET = "SECRET who leaves the school"  # episode 9 and later: never shown to them
PHONE = {"width": 375, "height": 667}


@pytest.fixture
def discussions():
    ThreadFactory(board=board("episode-2"), title=SEEN)
    for number in (9, 10, 11, 12):
        ThreadFactory(board=board(f"episode-{number}"), title=f"{SECRET} {number}")
    # The episode-2 thread is the most recently active.
    Thread.objects.filter(title=SEEN).update(last_activity_at="2030-01-01T00:00:00Z")


def panel(page):
    return page.get_by_role("region", name="How far have you watched?")


@pytest.mark.usefixtures("discussions")
def test_first_visitor_answers_and_sees_titles_up_to_their_episode(
    live_server, page, problems, check_accessibility, screenshot
):
    page.goto(live_server.url + "/")
    expect(panel(page)).to_be_visible()
    check_accessibility()
    screenshot("first-visit-desktop")
    assert SEEN not in page.content()

    panel(page).get_by_role("button", name="Episode 3", exact=True).click()
    page.wait_for_url(live_server.url + "/")

    expect(page.get_by_text("Spoilers are now hidden beyond episode 3.")).to_be_visible()
    expect(panel(page)).to_have_count(0)
    latest = page.locator(".latest-discussions")
    expect(latest.get_by_role("link", name=SEEN)).to_be_visible()
    assert SECRET not in page.content()
    # The later threads are one entry; opening it lists each gate with its board.
    summary = latest.get_by_text("4 discussions spoil episodes you haven't watched (episodes 9")
    expect(summary).to_be_visible()
    summary.click()
    gate = latest.get_by_text("Spoiler for episode 9 · Episode 9 board · 0 replies")
    expect(gate).to_be_visible()
    check_accessibility()
    screenshot("first-visit-answered")
    assert page.get_by_label("I've watched up to").input_value() == "3"

    # Still answered on the next page (and on the cached home page).
    page.goto(live_server.url + "/boards/")
    expect(panel(page)).to_have_count(0)


@pytest.mark.usefixtures("discussions")
def test_on_a_phone_the_panel_is_compact(live_server, page, problems, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    screenshot("first-visit-phone")

    box = panel(page).bounding_box()
    assert box["height"] < PHONE["height"] * 0.5, box
    # The page's own heading starts on the first screen, below the panel.
    heading = page.get_by_role("heading", name="Latest articles").bounding_box()
    assert heading["y"] < PHONE["height"], heading
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("first-visit-phone")

    panel(page).get_by_role("button", name="Episode 12", exact=True).click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("link", name=f"{SECRET} 12")).to_be_visible()


@pytest.mark.usefixtures("discussions")
# pytest-playwright builds `page` from these arguments: this one runs without scripts.
@pytest.mark.parametrize("browser_context_args", [{"java_script_enabled": False}])
def test_without_javascript_not_now_and_answers_still_work(
    live_server, page, problems, check_accessibility, browser_context_args
):
    page.goto(live_server.url + "/boards/episode-10/")
    expect(panel(page)).to_be_visible()
    allow_axe_without_javascript(page)
    check_accessibility()

    panel(page).get_by_role("button", name="Not now").click()
    page.wait_for_url("**/boards/episode-10/")
    expect(page.get_by_text("We won't ask again.")).to_be_visible()
    expect(panel(page)).to_have_count(0)
    assert page.get_by_label("I've watched up to").input_value() == "0"
    assert SECRET not in page.content()

    # Answering later, from the header, is just as good.
    page.get_by_label("I've watched up to").select_option("10")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/boards/episode-10/")
    expect(page.get_by_role("link", name=f"{SECRET} 10")).to_be_visible()
    expect(panel(page)).to_have_count(0)
