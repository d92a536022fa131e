import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from fansite.moderation.models import ModerationLog, Report
from fansite.moderation.services import PERMANENT_BAN_UNTIL
from tests.users.factories import UserFactory

from .helpers import (
    CommentFactory,
    ThreadFactory,
    board,
    logged_in,
    make_moderator,
    report_by,
)

pytestmark = pytest.mark.django_db

QUEUE = "admin:moderation_report_queue"
Action = ModerationLog.Action


@pytest.fixture(autouse=True)
def _high_threshold(settings):
    # Most tests here want reports without automatic hiding getting in the way.
    settings.MODERATION_AUTO_HIDE_REPORTS = 50


@pytest.fixture
def moderator():
    return make_moderator(username="mod")


@pytest.fixture
def moderator_client(client, moderator):
    return logged_in(client, moderator)


def act_url(kind, item):
    return reverse("admin:moderation_report_queue_act", args=[kind, item.pk])


def spoiler_comment():
    thread = ThreadFactory(board=board("episode-9"), title="Class president theories")
    return CommentFactory(
        thread=thread,
        body="Great scene. >!Nam-ra turns half-zombie!<\n\n:::spoiler\nThe school burns.\n:::",
    )


def test_queue_lists_each_reported_item_once_with_content_reporters_and_marked_spoilers(
    moderator_client,
):
    comment = spoiler_comment()
    first, second = UserFactory(username="cheongsan"), UserFactory(username="suhyeok")
    report_by([first], comment, reason=Report.Reason.SPOILER)
    report_by([second], comment, reason=Report.Reason.OTHER, details="Ruined episode 9 for me")

    response = moderator_client.get(reverse(QUEUE))

    assert response.status_code == HTTPStatus.OK
    html = response.text
    assert html.count(f'id="comment-{comment.pk}"') == 1
    assert "2 reports" in html
    assert "cheongsan" in html
    assert "suhyeok" in html
    assert "Spoiler without a tag" in html
    assert "Ruined episode 9 for me" in html
    assert "Class president theories" in html
    # Spoilers are shown to moderators, marked and expanded.
    assert "Spoils up to episode 9" in html
    assert '<span class="spoiler__content">Nam-ra turns half-zombie</span>' in html
    assert '<details class="spoiler-block" open>' in html
    assert "The school burns." in html
    assert "css/admin-moderation.css" in html
    assert "style=" not in html.split('id="content-main"')[1]


def test_queue_shows_threads_with_opening_post_and_profiles_with_bio(moderator_client):
    thread = ThreadFactory(title="Free episodes here", body="Visit my totally legit site.")
    member = UserFactory(username="troll", display_name="Gwi-nam", bio="I bite.")
    report_by(1, thread)
    report_by(3, member, reason=Report.Reason.HARASSMENT)

    html = moderator_client.get(reverse(QUEUE)).text

    assert "Free episodes here" in html
    assert "Visit my totally legit site." in html
    assert "Member profile" in html
    assert "Gwi-nam" in html
    assert "I bite." in html
    # Most reported first.
    assert html.index("I bite.") < html.index("Free episodes here")
    # Profiles cannot be hidden or re-tagged, only dismissed or acted on.
    profile_card = html.split(f'id="member-{member.pk}"')[1].split("</article>")[0]
    assert 'value="hide"' not in profile_card
    assert 'value="ban"' in profile_card


def test_queue_leaves_out_closed_reports(moderator_client, moderator):
    comment = CommentFactory(body="Already handled")
    report_by(1, comment)
    Report.objects.update(status=Report.Status.DISMISSED)

    html = moderator_client.get(reverse(QUEUE)).text

    assert "Already handled" not in html
    assert "No open reports" in html


def test_queue_query_count_does_not_grow_with_reports(
    moderator_client, django_assert_max_num_queries
):
    reporters = UserFactory.create_batch(3)
    report_by(reporters[:1], CommentFactory())
    with django_assert_max_num_queries(12):
        moderator_client.get(reverse(QUEUE))

    for _ in range(8):
        report_by(reporters, CommentFactory())
        report_by(reporters[:2], ThreadFactory())
    report_by(reporters, UserFactory())
    with django_assert_max_num_queries(12):
        response = moderator_client.get(reverse(QUEUE))
    assert "18 reported items" in response.text


def test_hide_button_hides_and_resolves_with_who_when_why(moderator_client, moderator):
    comment = CommentFactory()
    report_by(2, comment)

    response = moderator_client.post(
        act_url("comment", comment), {"action": "hide", "reason": "Spam link"}, follow=True
    )

    assert response.status_code == HTTPStatus.OK
    assert "Hid Comment" in response.text
    comment.refresh_from_db()
    assert comment.is_hidden
    reports = Report.objects.filter(comment=comment)
    assert {report.status for report in reports} == {Report.Status.RESOLVED}
    assert {report.resolved_by for report in reports} == {moderator}
    assert all(report.resolved_at for report in reports)
    assert {report.resolution for report in reports} == {"Hidden. Spam link"}
    assert list(ModerationLog.objects.order_by("pk").values_list("action", "moderator")) == [
        (Action.HIDE, moderator.pk),
        (Action.RESOLVE, moderator.pk),
    ]
    assert f'id="comment-{comment.pk}"' not in response.text


def test_mark_as_spoiler_retags_instead_of_hiding(settings, moderator_client, moderator):
    settings.MODERATION_AUTO_HIDE_REPORTS = 2
    comment = CommentFactory()
    report_by(2, comment, reason=Report.Reason.SPOILER)
    comment.refresh_from_db()
    assert comment.is_hidden  # hidden automatically, pending review

    moderator_client.post(act_url("comment", comment), {"action": "respoil", "episode": "8"})

    comment.refresh_from_db()
    assert comment.spoils_episode_id == 8
    assert not comment.is_hidden
    assert {report.resolution for report in Report.objects.all()} == {
        "Marked as a spoiler for episode 8."
    }
    assert list(ModerationLog.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.AUTO_HIDE,
        Action.RESPOIL,
        Action.RESTORE,
        Action.RESOLVE,
    ]


def test_mark_as_spoiler_on_a_thread(moderator_client):
    thread = ThreadFactory()
    report_by(1, thread, reason=Report.Reason.SPOILER)

    moderator_client.post(act_url("thread", thread), {"action": "respoil", "episode": "12"})

    thread.refresh_from_db()
    assert thread.spoils_episode_id == 12
    assert Report.objects.get().status == Report.Status.RESOLVED


def test_dismiss_closes_reports_and_restores_auto_hidden_content(
    settings, moderator_client, moderator
):
    settings.MODERATION_AUTO_HIDE_REPORTS = 2
    thread = ThreadFactory()
    report_by(2, thread, reason=Report.Reason.OFF_TOPIC)

    moderator_client.post(act_url("thread", thread), {"action": "dismiss", "reason": "On topic"})

    thread.refresh_from_db()
    assert not thread.is_hidden
    reports = Report.objects.all()
    assert {(r.status, r.resolved_by, r.resolution) for r in reports} == {
        (Report.Status.DISMISSED, moderator, "On topic")
    }
    assert ModerationLog.objects.filter(action=Action.DISMISS, moderator=moderator).count() == 1


def test_warn_author_emails_them_and_resolves(
    moderator_client, moderator, django_capture_on_commit_callbacks
):
    comment = CommentFactory()
    report_by(1, comment, reason=Report.Reason.HARASSMENT)

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            act_url("comment", comment),
            {"action": "warn", "reason": "Be kind to other fans", "also_hide": "on"},
        )

    assert mail.outbox[-1].to == [comment.author.email]
    assert "Be kind to other fans" in mail.outbox[-1].body
    comment.refresh_from_db()
    assert comment.is_hidden
    report = Report.objects.get()
    assert report.status == Report.Status.RESOLVED
    assert report.resolution == "Warned the author. Hidden. Be kind to other fans"
    warning = ModerationLog.objects.get(action=Action.WARN)
    assert warning.target_id == comment.author_id


def test_warn_and_ban_need_a_reason(moderator_client):
    comment = CommentFactory()
    report_by(1, comment)

    for action in ("warn", "ban"):
        response = moderator_client.post(
            act_url("comment", comment), {"action": action, "reason": ""}, follow=True
        )
        assert "Give a reason" in response.text

    comment.author.refresh_from_db()
    assert not comment.author.is_banned
    assert Report.objects.get().status == Report.Status.OPEN
    assert not ModerationLog.objects.exists()


def test_ban_author_permanently_or_until_a_date(moderator_client):
    spam, rude = CommentFactory(), CommentFactory()
    report_by(1, spam)
    report_by(1, rude)
    next_week = timezone.localdate() + datetime.timedelta(days=7)

    moderator_client.post(
        act_url("comment", spam), {"action": "ban", "reason": "Spam bot", "also_hide": "on"}
    )
    moderator_client.post(
        act_url("comment", rude),
        {"action": "ban", "reason": "Insults", "until": next_week.isoformat()},
    )

    spam.refresh_from_db()
    spam.author.refresh_from_db()
    rude.refresh_from_db()
    rude.author.refresh_from_db()
    assert spam.is_hidden
    assert spam.author.banned_until == PERMANENT_BAN_UNTIL
    assert spam.author.ban_reason == "Spam bot"
    assert not rude.is_hidden
    assert timezone.localtime(rude.author.banned_until).date() == next_week
    assert rude.author.ban_reason == "Insults"
    assert set(ModerationLog.objects.values_list("action", flat=True)) == {
        Action.BAN,
        Action.SUSPEND,
        Action.HIDE,
        Action.RESOLVE,
    }
    assert not Report.objects.open().exists()


def test_ban_from_a_profile_report(moderator_client):
    member = UserFactory()
    report_by(2, member, reason=Report.Reason.HARASSMENT)

    moderator_client.post(act_url("member", member), {"action": "ban", "reason": "Harassment"})

    member.refresh_from_db()
    assert member.is_banned
    assert not Report.objects.open().exists()


def test_refused_action_leaves_reports_open_and_says_why(moderator_client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    comment = CommentFactory(author=admin)
    report_by(1, comment)

    response = moderator_client.post(
        act_url("comment", comment), {"action": "ban", "reason": "No"}, follow=True
    )

    assert "Administrators&#x27; accounts cannot be moderated." in response.text
    admin.refresh_from_db()
    assert not admin.is_banned
    assert Report.objects.get().status == Report.Status.OPEN


def test_queue_actions_need_post_and_a_known_kind(moderator_client):
    comment = CommentFactory()
    report_by(1, comment)

    assert moderator_client.get(act_url("comment", comment)).status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )
    bad = reverse("admin:moderation_report_queue_act", args=["article", 1])
    assert moderator_client.post(bad, {"action": "hide"}).status_code == HTTPStatus.NOT_FOUND


def test_report_changelist_shows_open_reports_by_default_and_links_the_queue(moderator_client):
    open_comment = CommentFactory(body="Still open")
    closed_comment = CommentFactory(body="Long closed")
    report_by(1, open_comment)
    report_by(1, closed_comment)
    Report.objects.filter(comment=closed_comment).update(status=Report.Status.RESOLVED)
    url = reverse("admin:moderation_report_changelist")

    default = moderator_client.get(url)
    everything = moderator_client.get(url, {"status": "all"})

    assert default.status_code == HTTPStatus.OK
    assert f"Comment {open_comment.pk} by" in default.text
    assert f"Comment {closed_comment.pk} by" not in default.text
    assert f"Comment {closed_comment.pk} by" in everything.text
    assert reverse(QUEUE) in default.text


def test_admin_index_links_the_queue_for_moderators(moderator_client):
    response = moderator_client.get(reverse("admin:index"))

    assert response.status_code == HTTPStatus.OK
    assert reverse(QUEUE) in response.text
