"""Journeys 2-4: a member signs up, joins the discussion, and is kept safe from spoilers."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from fansite.threads.models import Thread
from fansite.users.models import User
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SPOILER_LABEL = "Spoiler for episode 9"
TWIST_TITLE = "Episode nine twist talk"
TWIST_COMMENT = "Nobody expected the rooftop rescue to end like that"


@pytest.fixture(autouse=True)
def _fail_fast(page):
    # A missing element fails in seconds rather than Playwright's default 30.
    page.set_default_timeout(10_000)


def established_member(**kwargs):
    """A member who joined days ago, so the new-account limits do not apply."""
    return UserFactory(date_joined=timezone.now() - timedelta(days=3), **kwargs)


def header(page):
    return page.locator("header.site-header")


def log_in(page, live_server, member, check_accessibility):
    page.goto(live_server.url + "/")
    header(page).get_by_role("link", name="Log in").click()
    page.wait_for_url("**/accounts/login/**")
    check_accessibility()
    form = page.locator("main form")
    form.get_by_label("Username or email").fill(member.username)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    expect(header(page).get_by_role("button", name="Log out")).to_be_visible()


def submit(page, button):
    """Click a submit button and wait for the page the form leads to."""
    with page.expect_navigation():
        button.click()


def set_progress(page, label):
    header(page).get_by_label("I've watched up to").select_option(label=label)
    submit(page, header(page).get_by_role("button", name="Save"))


def comment_card(page, text):
    return page.locator("article.comment").filter(has_text=text)


def test_visitor_signs_up_confirms_uploads_an_avatar_and_sets_progress(
    live_server, page, problems, check_accessibility, settings, tmp_path
):
    mail_dir = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "fansite.emails.backends.ReadableFileBackend",  # as in make run
            "OPTIONS": {"file_path": str(mail_dir)},
        }
    }
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # as in production

    page.goto(live_server.url + "/")
    check_accessibility()
    header(page).get_by_role("link", name="Sign up").click()
    page.wait_for_url("**/accounts/signup/")
    check_accessibility()
    form = page.locator("main form")
    form.get_by_label("Email").fill("jiwoo@example.com")
    form.get_by_label("Username").fill("jiwoo")
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_label("Password (again)").fill(PASSWORD)
    form.get_by_role("button", name="Sign up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    check_accessibility()
    member = User.objects.get(username="jiwoo")
    assert not member.emailaddress_set.get().verified

    # The link is copied from the mail file as it stands, on a line of its own.
    (mail_file,) = list(mail_dir.iterdir())
    text = mail_file.read_text(encoding="utf-8")
    link = re.search(r"^http://\S+/accounts/confirm-email/\S+/$", text, re.MULTILINE)
    assert link, text
    page.goto(link.group(0))
    check_accessibility()
    submit(page, page.get_by_role("button", name="Confirm"))
    check_accessibility()
    assert member.emailaddress_set.get().verified
    # The last step of sign-up asks how far they have watched, then welcomes them.
    expect(
        page.get_by_role("heading", name="One last step: how far have you watched?")
    ).to_be_visible()
    submit(page, page.get_by_role("button", name="Episode 2", exact=True))
    check_accessibility()
    expect(page.get_by_text("Welcome, jiwoo.")).to_be_visible()
    member.refresh_from_db()
    assert member.watched_up_to == 2
    # Confirming in the browser that signed up logs the new member in; they log
    # out and back in with their new password.
    logout = header(page).get_by_role("button", name="Log out")
    expect(logout).to_be_visible()
    submit(page, logout)
    log_in(page, live_server, member, check_accessibility)
    check_accessibility()

    picture = tmp_path / "me.png"
    Image.new("RGB", (300, 200), (200, 30, 60)).save(picture)
    header(page).get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings/profile/")
    check_accessibility()
    assert page.locator("main img.avatar").count() == 0  # initials until a picture exists
    page.get_by_label("Picture").set_input_files(picture)
    submit(page, page.get_by_role("button", name="Save profile"))
    check_accessibility()

    header(page).get_by_role("link", name="jiwoo").click()
    page.wait_for_url("**/members/jiwoo/")
    check_accessibility()
    avatar = page.locator("main .profile__header img.avatar")
    expect(avatar).to_be_visible()
    expect(avatar).to_have_attribute("src", re.compile(r"/media/"))
    assert avatar.evaluate("img => img.complete && img.naturalWidth > 0")
    assert header(page).locator("img.avatar").evaluate("img => img.naturalWidth > 0")

    set_progress(page, "Episode 3")
    check_accessibility()
    page.reload()
    selector = header(page).get_by_label("I've watched up to")
    expect(selector.locator("option:checked")).to_have_text("Episode 3")
    member.refresh_from_db()
    assert member.watched_up_to == 3


def test_member_starts_a_thread_and_takes_part_in_the_discussion(
    live_server, page, problems, check_accessibility
):
    member = established_member(username="jiwoo", watched_up_to=3)
    other = established_member(username="cheongsan")
    log_in(page, live_server, member, check_accessibility)

    header(page).get_by_role("link", name="Boards").click()
    page.wait_for_url("**/boards/")
    check_accessibility()
    page.get_by_role("link", name="Episode 3", exact=True).click()
    page.wait_for_url("**/boards/episode-3/")
    check_accessibility()
    page.get_by_role("link", name="Start a thread").click()
    page.wait_for_url("**/boards/episode-3/new/")
    check_accessibility()
    page.get_by_label("Title").fill("The library standoff")
    page.get_by_label("Opening post").fill("How did they hold the library that long?")
    page.get_by_role("button", name="Start the thread").click()
    page.wait_for_url(re.compile(r"/threads/\d+/"))
    check_accessibility()
    expect(page.get_by_role("heading", level=1)).to_have_text("The library standoff")
    thread = Thread.objects.get(title="The library standoff", author=member)

    # A comment with an inline spoiler: covered until clicked.
    page.get_by_label("Your comment").fill("Best moment: >!secret ending!< and then silence.")
    submit(page, page.get_by_role("button", name="Post comment"))
    check_accessibility()
    page.reload()
    card = comment_card(page, "Best moment")
    secret = card.get_by_text("secret ending")
    expect(secret).to_be_hidden()
    card.get_by_text("Spoiler", exact=True).click()
    expect(secret).to_be_visible()
    check_accessibility()

    # Another member answers; our member replies to them.
    reply(thread, body="The music room scene was better.", author=other)
    page.reload()
    comment_card(page, "music room").get_by_role("link", name="Reply").click()
    expect(page.get_by_role("heading", name="Your reply")).to_be_visible()
    check_accessibility()
    page.get_by_label("Your comment").fill("Fair, but the library had more tension.")
    submit(page, page.get_by_role("button", name="Post reply"))
    page.reload()
    check_accessibility()
    answer = comment_card(page, "more tension")
    thread_of_theirs = page.locator(".comment-list__item").filter(has_text="music room")
    expect(thread_of_theirs.locator(".comment-replies")).to_contain_text("more tension")

    # Quoting pre-fills the form with their words, under a heading linking the source.
    comment_card(page, "music room").get_by_role("link", name="Quote").click()
    body = page.get_by_label("Your comment")
    expect(body).to_have_value(
        re.compile(r"^> \[@cheongsan wrote\]\(/comments/\d+/\):\n>\n> The music room scene")
    )
    check_accessibility()
    body.press("Control+End")
    body.type("The piano still gives me chills.")
    submit(page, page.get_by_role("button", name="Post reply"))
    page.reload()
    check_accessibility()
    quoted = comment_card(page, "piano still gives me chills")
    expect(quoted.locator("blockquote")).to_contain_text("The music room scene was better.")

    # Editing shows "edited".
    answer.get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/comments/\d+/edit/"))
    check_accessibility()
    page.get_by_label("Your comment").fill("Fair, but the library had far more tension.")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r"/threads/\d+/"))
    page.reload()
    check_accessibility()
    edited = comment_card(page, "far more tension")
    expect(edited.locator(".comment__edited")).to_contain_text("edited")

    # Deleting leaves "Comment removed" in its place.
    edited.get_by_role("link", name="Delete").click()
    page.wait_for_url(re.compile(r"/comments/\d+/delete/"))
    check_accessibility()
    page.get_by_role("button", name="Delete comment").click()
    page.wait_for_url(re.compile(r"/threads/\d+/"))
    page.reload()
    check_accessibility()
    expect(page.get_by_text("far more tension")).to_have_count(0)
    expect(page.get_by_text("Comment removed")).to_be_visible()

    # Everything else is still there after a reload.
    expect(comment_card(page, "Best moment")).to_be_visible()
    expect(comment_card(page, "piano still gives me chills")).to_be_visible()
    expect(
        page.locator("article.comment:not(.comment--reply)", has_text="music room")
    ).to_be_visible()


def test_spoilers_beyond_the_members_progress_stay_hidden_until_they_catch_up(
    live_server, page, problems, check_accessibility
):
    member = established_member(username="jiwoo", watched_up_to=3)
    other = established_member(username="cheongsan")
    thread = ThreadFactory(
        board=board("episode-9"), author=other, title=TWIST_TITLE, body="Let's talk."
    )
    reply(thread, body=TWIST_COMMENT, author=other)
    log_in(page, live_server, member, check_accessibility)

    # Each page, and whether it shows the comment as well as the title (the board
    # list and the board show only thread titles).
    pages = [
        ("/boards/", False),
        (board("episode-9").get_absolute_url(), False),
        (thread.get_absolute_url(), True),
        (other.get_absolute_url(), True),
    ]

    def visit_all(*, gated):
        for path, lists_comments in pages:
            page.goto(live_server.url + path)
            check_accessibility()
            main = page.locator("main")
            html = page.content()
            if gated:
                expect(main.get_by_text(SPOILER_LABEL, exact=True).first).to_be_visible()
                assert TWIST_TITLE not in html, path
                assert TWIST_COMMENT not in html, path
            else:
                expect(main.get_by_text(TWIST_TITLE).first).to_be_visible()
                expect(main.get_by_text(SPOILER_LABEL, exact=True)).to_have_count(0)
                if lists_comments:
                    expect(main.get_by_text(TWIST_COMMENT).first).to_be_visible()

    visit_all(gated=True)

    set_progress(page, "Episode 9")
    check_accessibility()
    visit_all(gated=False)
