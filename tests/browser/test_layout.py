"""Journey 7: on a phone-sized screen in the dark colour scheme the reading and
discussion pages fit the screen (no sideways scrolling) and are actually dark;
the header is one slim row whose menu holds the progress control; on a desktop
every page's content is one column of one width; times are shown in the
browser's zone. Screenshots of each page go to test-results/screenshots/
(SCREENSHOT_DIR), which CI keeps as test output."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Group

from fansite.articles.models import Article
from fansite.moderation.models import Report
from fansite.moderation.services import report_item
from fansite.spoilers import tokens
from tests.browser.page_tools import (
    allow_axe_without_javascript,
    assert_accessible,
    sign_in_with_cookie,
    watch,
)
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# One row: the logo mark, Episodes, Boards and the menu (docs/design.md).
SLIM_HEADER_PX = 64
# A long unbroken word is what usually pushes a phone layout sideways.
LONG_WORD = "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaah"

BODY_LUMINANCE = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor
    .match(/[\\d.]+/g).slice(0, 3).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "color_scheme": "dark"}


def assert_fits_and_is_dark(page):
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    assert page.evaluate(BODY_LUMINANCE) < 0.25, f"{page.url} is not dark"


def assert_slim_sticky_header(page):
    header = page.locator(".site-header")
    height = header.evaluate("element => element.getBoundingClientRect().height")
    assert height <= SLIM_HEADER_PX, f"{page.url}: the header is {height}px tall"
    assert header.evaluate("element => getComputedStyle(element).position") == "sticky"


def test_reading_and_discussion_pages_fit_a_phone_in_the_dark(
    live_server, page, problems, check_accessibility, screenshot
):
    member = UserFactory(watched_up_to=3)
    thread = ThreadFactory(
        board=board("episode-3"),
        title="The science lab scene in episode 3 had me screaming",
        body=f"Gyeong Su in the lab: {LONG_WORD}!",
    )
    reply(thread, body="Agreed. >!The phone call!< was the worst part.")
    reply(
        thread,
        body=":::spoiler What happens to the teacher\nHe does not make it out.\n:::",
    )
    sign_in_with_cookie(page, live_server, member)

    article = Article.objects.get()
    # Revealed, as if the member had pressed its Show button (their own token).
    revealed = tokens.make(f"m{member.pk}", article.reveal_key)
    pages = [
        ("home", "/"),
        ("article", f"{article.get_absolute_url()}?reveal={revealed}"),
        ("boards", "/boards/"),
        ("board", board("episode-3").get_absolute_url()),
        ("episodes", "/episodes/"),
        # Its board's thread is listed; the next episode's page offers "I've watched".
        ("episode", "/episodes/3/"),
        ("episode-ahead", "/episodes/4/"),
        ("composer", "/boards/episode-3/new/"),
        # Last: the checks below look at it.
        ("thread", thread.get_absolute_url()),
    ]
    for name, path in pages:
        page.goto(live_server.url + path)
        check_accessibility()
        assert_fits_and_is_dark(page)
        assert_slim_sticky_header(page)
        screenshot(name)

    # The thread's content really is there, not a spoiler gate or an error page.
    assert page.get_by_role("heading", name=thread.title).is_visible()
    assert page.get_by_text("The phone call").count() == 1
    assert page.locator("article.comment").count() == 3


def test_the_phone_header_is_one_row_and_its_menu_sets_progress(
    live_server, page, problems, check_accessibility, screenshot
):
    member = UserFactory(watched_up_to=3)
    ThreadFactory(board=board("episode-3"), title="Who else jumped at the lab door?")
    sign_in_with_cookie(page, live_server, member)
    page.goto(live_server.url + board("episode-3").get_absolute_url())
    header = page.locator(".site-header")
    # Everything in the one row sits side by side at the same height.
    tops = header.evaluate(
        "header => [...header.querySelector('.site-header__inner').children]"
        ".map(child => Math.round(child.getBoundingClientRect().top))"
    )
    assert max(tops) - min(tops) <= 12, tops
    assert not page.get_by_label("I've watched up to").is_visible()

    header.locator(".site-menu__toggle").click()
    menu = header.locator(".site-menu__panel")
    assert menu.is_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    check_accessibility()
    screenshot("phone-menu")
    menu.get_by_label("I've watched up to").select_option("4")
    with page.expect_navigation():
        menu.get_by_role("button", name="Save").click()

    assert header.locator(".site-menu__progress").text_content() == "Watched: Ep. 4"
    member.refresh_from_db()
    assert member.watched_up_to == 4
    # Long pages keep the header in reach.
    page.mouse.wheel(0, 3000)
    assert header.bounding_box()["y"] == 0


def column_widths(page, selectors):
    return page.evaluate(
        """selectors => {
          const main = document.querySelector('main');
          const style = getComputedStyle(main);
          const column = main.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          const widths = {column: Math.round(column)};
          for (const selector of selectors) {
            const element = document.querySelector(selector);
            widths[selector] = element ? Math.round(element.getBoundingClientRect().width) : null;
          }
          return widths;
        }""",
        selectors,
    )


def test_desktop_pages_are_one_column_of_one_width(
    live_server, page, problems, check_accessibility, screenshot
):
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")
    member = UserFactory(watched_up_to=3)
    thread = ThreadFactory(board=board("episode-3"), title="The rooftop plan, step by step")
    reply(thread, body="The plan made sense until the rain.")
    reply(thread, body="Wait until you see episode 9.", spoils_episode=9)
    ThreadFactory(board=board("episode-9"), title="Later episode talk")
    sign_in_with_cookie(page, live_server, member)

    checks = [
        ("desktop-home", "/", [".article-card", ".latest-discussions"]),
        ("desktop-boards", "/boards/", [".board-table"]),
        ("desktop-board", board("episode-3").get_absolute_url(), [".thread-list"]),
        ("desktop-episode", "/episodes/3/", [".episode-board .thread-list, .thread-list"]),
        (
            "desktop-thread",
            thread.get_absolute_url(),
            [
                ".comments",
                ".comment-list > li > .comment",
                ".comment-list li:last-child .comment",
                ".comment-form textarea",
            ],
        ),
    ]
    seen = set()
    for name, path, selectors in checks:
        page.goto(live_server.url + path)
        check_accessibility()
        assert_slim_sticky_header(page)
        # Wide enough for everything in the row: the progress control is in sight.
        assert page.get_by_label("I've watched up to").is_visible()
        widths = column_widths(page, selectors)
        # The column uses the screen: no narrow strip in a wide window.
        assert widths["column"] >= 760, widths
        for selector in selectors:
            assert widths[selector] == widths["column"], f"{path}: {widths}"
        seen.add(widths["column"])
        screenshot(name)
    assert len(seen) == 1, f"pages differ in width: {seen}"
    # The gated comment stands in its card, as wide as the others.
    assert page.locator(".comment .spoiler-gate").count() == 1


def test_a_moderators_header_is_one_row_at_the_narrowest_wide_screen(live_server, page, problems):
    # 75rem: the narrowest window with the whole header in its row (the search box
    # is its button there, and the logo stands for Home).
    page.set_viewport_size({"width": 1200, "height": 800})
    page.emulate_media(color_scheme="light")
    moderator = UserFactory(is_staff=True, display_name="Lee Cheong-san the moderator")
    sign_in_with_cookie(page, live_server, moderator)

    page.goto(live_server.url + "/boards/")

    assert_slim_sticky_header(page)
    assert page.get_by_role("link", name="Admin").is_visible()
    assert page.get_by_label("I've watched up to").is_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_times_are_shown_in_the_browsers_zone_and_a_member_can_keep_it(
    live_server, browser, axe_source
):
    with time_machine.travel(datetime(2026, 1, 1, 15, 30, tzinfo=UTC), tick=False):
        thread = ThreadFactory(title="Countdown to season 2")
    member = UserFactory(watched_up_to=12)
    context = browser.new_context(
        viewport=PHONE, color_scheme="dark", timezone_id="Asia/Seoul", locale="en-GB"
    )
    page = context.new_page()
    seen = []
    watch(page, seen)

    page.goto(live_server.url + thread.get_absolute_url())
    stamp = page.locator(".thread-header__meta time")
    # 15:30 UTC is 00:30 the next day in Seoul; the attribute stays in UTC.
    assert stamp.inner_text() == "2 Jan 2026, 00:30"
    assert stamp.get_attribute("datetime") == "2026-01-01T15:30:00+00:00"
    assert page.get_by_text("Times are shown in your browser's time zone, Asia/Seoul.").is_visible()
    assert_accessible(page, axe_source)

    # A member without a zone finds the browser's preselected in Settings and saves it.
    sign_in_with_cookie(page, live_server, member)
    page.goto(live_server.url + "/settings/profile/")
    assert page.get_by_label("Time zone").input_value() == "Asia/Seoul"
    with page.expect_navigation():
        page.get_by_role("button", name="Save profile").click()
    member.refresh_from_db()
    assert member.time_zone == "Asia/Seoul"

    # Now the server renders Seoul time, and the script leaves it as written.
    page.goto(live_server.url + thread.get_absolute_url())
    assert page.locator("html").get_attribute("data-time-zone") == "Asia/Seoul"
    assert stamp.inner_text() == "2 January 2026, 00:30"
    assert page.get_by_text("Times are shown in Asia/Seoul.").is_visible()
    context.close()
    assert not seen, seen


def test_without_javascript_the_menu_opens_and_times_say_utc(live_server, browser, axe_source):
    ThreadFactory(board=board("general"), title="Favourite class 2-5 moment")
    context = browser.new_context(viewport=PHONE, color_scheme="dark", java_script_enabled=False)
    page = context.new_page()

    page.goto(live_server.url + board("general").get_absolute_url())
    assert page.get_by_text("Times are shown in UTC.").is_visible()
    page.locator(".site-menu__toggle").click()
    page.get_by_label("I've watched up to").select_option("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    assert page.locator(".site-menu__progress").text_content() == "Watched: Ep. 2"
    allow_axe_without_javascript(page)
    assert_accessible(page, axe_source)
    context.close()


def test_the_report_queue_fits_a_phone_in_the_dark(
    live_server, page, problems, check_accessibility, screenshot
):
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    thread = ThreadFactory(title="Rate the episodes")
    comment = reply(thread, body="Buy cheap watches at my shop, best prices in town!")
    report_item(reporter=UserFactory(), item=comment, reason=Report.Reason.SPAM)
    sign_in_with_cookie(page, live_server, moderator)

    page.goto(live_server.url + "/admin/moderation/report/queue/")
    check_accessibility()
    assert page.get_by_text("1 reported item waiting for review.").is_visible()
    assert page.get_by_text("Buy cheap watches").is_visible()
    assert_fits_and_is_dark(page)
    screenshot("admin-report-queue")
