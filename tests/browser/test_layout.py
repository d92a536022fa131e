"""Journey 7: on a phone-sized screen in the dark colour scheme the reading and
discussion pages fit the screen (no sideways scrolling) and are actually dark.
Screenshots of each page go to test-results/screenshots/ (SCREENSHOT_DIR), which
CI keeps as test output."""

import pytest
from django.contrib.auth.models import Group

from fansite.articles.models import Article
from fansite.moderation.models import Report
from fansite.moderation.services import report_item
from fansite.spoilers import tokens
from tests.browser.page_tools import sign_in_with_cookie
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
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
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    assert page.evaluate(BODY_LUMINANCE) < 0.25, f"{page.url} is not dark"


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
        ("thread", thread.get_absolute_url()),
    ]
    for name, path in pages:
        page.goto(live_server.url + path)
        check_accessibility()
        assert_fits_and_is_dark(page)
        screenshot(name)

    # The thread's content really is there, not a spoiler gate or an error page.
    assert page.get_by_role("heading", name=thread.title).is_visible()
    assert page.get_by_text("The phone call").count() == 1
    assert page.locator("article.comment").count() == 3


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
