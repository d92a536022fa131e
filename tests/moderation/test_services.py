import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.moderation import services
from fansite.moderation.models import ModerationLog, Report
from fansite.threads.models import Board, Thread
from tests.threads.factories import reply
from tests.users.factories import UserFactory

from .helpers import (
    CommentFactory,
    ThreadFactory,
    board,
    log_entries,
    make_moderator,
    only_log_entry,
    report_by,
)

pytestmark = pytest.mark.django_db

Action = ModerationLog.Action


@pytest.fixture
def moderator():
    return make_moderator(username="mod")


@pytest.fixture
def comment():
    return CommentFactory(body="Buy cheap watches!")


# --- report_item -----------------------------------------------------------------------------


def test_report_stores_reporter_reason_and_reported_author(comment):
    reporter = UserFactory()

    report = services.report_item(
        reporter=reporter, item=comment, reason=Report.Reason.SPAM, details=" link farm "
    )

    assert report.status == Report.Status.OPEN
    assert report.comment == comment
    assert report.reporter == reporter
    assert report.reported_author == comment.author
    assert report.details == "link farm"


def test_a_profile_report_names_the_member_as_reported_author():
    member = UserFactory()

    report = services.report_item(
        reporter=UserFactory(), item=member, reason=Report.Reason.HARASSMENT
    )

    assert report.member == member
    assert report.reported_author == member


@pytest.mark.parametrize(
    ("make_reporter", "message"),
    [
        (lambda: AnonymousUser(), "Log in to report"),
        (lambda: None, "Log in to report"),
        (lambda: UserFactory(is_active=False), "deactivated and cannot report"),
        (
            lambda: UserFactory(
                banned_until=timezone.now() + datetime.timedelta(days=2), ban_reason="Spam"
            ),
            "cannot report. Reason: Spam",
        ),
        (
            lambda: UserFactory(banned_until=services.PERMANENT_BAN_UNTIL, ban_reason="Abuse"),
            "You are banned permanently and cannot report.",
        ),
    ],
)
def test_who_may_not_report_is_told_why(comment, make_reporter, message):
    with pytest.raises(services.ReportRefused) as refused:
        services.report_item(reporter=make_reporter(), item=comment, reason=Report.Reason.SPAM)

    assert message in refused.value.message
    assert not Report.objects.exists()


def test_members_cannot_report_their_own_comment_thread_or_profile(comment):
    thread = ThreadFactory()

    for reporter, item, message in [
        (comment.author, comment, "your own posts"),
        (thread.author, thread, "your own posts"),
        (comment.author, comment.author, "your own profile"),
    ]:
        with pytest.raises(services.ReportRefused, match=message):
            services.report_item(reporter=reporter, item=item, reason=Report.Reason.SPAM)
    assert not Report.objects.exists()


def test_other_needs_details(comment):
    with pytest.raises(services.ReportRefused, match="what is wrong"):
        services.report_item(
            reporter=UserFactory(), item=comment, reason=Report.Reason.OTHER, details="  "
        )

    report = services.report_item(
        reporter=UserFactory(), item=comment, reason=Report.Reason.OTHER, details="Wrong board"
    )
    assert report.details == "Wrong board"


def test_unknown_reason_is_refused(comment):
    with pytest.raises(services.ReportRefused, match="Choose a reason"):
        services.report_item(reporter=UserFactory(), item=comment, reason="boring")


def test_second_open_report_by_the_same_member_is_refused(comment):
    reporter = UserFactory()
    services.report_item(reporter=reporter, item=comment, reason=Report.Reason.SPAM)

    with pytest.raises(services.ReportRefused) as refused:
        services.report_item(reporter=reporter, item=comment, reason=Report.Reason.OFF_TOPIC)

    assert refused.value.message == "You have already reported this; moderators will look at it."
    assert Report.objects.count() == 1


def test_member_may_report_again_once_the_report_is_closed(comment, moderator):
    reporter = UserFactory()
    services.report_item(reporter=reporter, item=comment, reason=Report.Reason.SPAM)
    services.dismiss_reports(item=comment, moderator=moderator, reason="Fine")

    services.report_item(reporter=reporter, item=comment, reason=Report.Reason.SPAM)

    assert Report.objects.open().count() == 1


def test_content_is_hidden_automatically_at_the_threshold_of_distinct_reporters(settings, comment):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    first, _second = report_by(2, comment)
    with pytest.raises(services.ReportRefused):
        # The same member twice does not count twice.
        services.report_item(reporter=first, item=comment, reason=Report.Reason.SPAM)
    comment.refresh_from_db()
    assert not comment.is_hidden
    assert not ModerationLog.objects.exists()

    report_by(1, comment)

    comment.refresh_from_db()
    assert comment.is_hidden
    entry = only_log_entry()
    assert entry.action == Action.AUTO_HIDE
    assert entry.moderator is None
    assert (entry.target_type, entry.target_id) == ("comment", comment.pk)
    assert entry.before == {"is_hidden": False}
    assert entry.after == {"is_hidden": True}
    assert "3 members" in entry.reason


def test_auto_hide_is_logged_once_and_threads_are_hidden_too(settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 2
    thread = ThreadFactory()

    report_by(4, thread)

    thread.refresh_from_db()
    assert thread.is_hidden
    assert len(log_entries(action=Action.AUTO_HIDE)) == 1


def test_auto_hide_threshold_defaults_to_three(settings, comment):
    del settings.MODERATION_AUTO_HIDE_REPORTS
    report_by(2, comment)
    comment.refresh_from_db()
    assert not comment.is_hidden

    report_by(1, comment)
    comment.refresh_from_db()
    assert comment.is_hidden


def test_profiles_are_never_hidden_automatically(settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 1
    member = UserFactory()

    report_by(3, member)

    assert Report.objects.open().filter(member=member).count() == 3
    assert not ModerationLog.objects.exists()


# --- Content actions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "initial", "field", "value", "action"),
    [
        (services.hide_item, {}, "is_hidden", True, Action.HIDE),
        (services.restore_item, {"is_hidden": True}, "is_hidden", False, Action.RESTORE),
    ],
)
def test_hide_and_restore_comments_and_threads_write_one_entry(
    moderator, service, initial, field, value, action
):
    for item in (CommentFactory(**initial), ThreadFactory()):
        if initial:
            type(item).objects.filter(pk=item.pk).update(**initial)
            item.refresh_from_db()

        assert service(item=item, moderator=moderator, reason="Checked") is True

        item.refresh_from_db()
        assert getattr(item, field) is value
        entry = only_log_entry(target_id=item.pk, target_type=services.target_type(item))
        assert entry.action == action
        assert entry.moderator == moderator
        assert entry.reason == "Checked"
        assert entry.before == {field: not value}
        assert entry.after == {field: value}


@pytest.mark.parametrize(
    ("service", "flags", "field", "value", "action"),
    [
        (services.lock_thread, {}, "is_locked", True, Action.LOCK),
        (services.unlock_thread, {"is_locked": True}, "is_locked", False, Action.UNLOCK),
        (services.pin_thread, {}, "is_pinned", True, Action.PIN),
        (services.unpin_thread, {"is_pinned": True}, "is_pinned", False, Action.UNPIN),
    ],
)
def test_lock_and_pin_services_write_one_entry(moderator, service, flags, field, value, action):
    thread = ThreadFactory(**flags)
    activity = thread.last_activity_at

    assert service(thread=thread, moderator=moderator) is True

    thread.refresh_from_db()
    assert getattr(thread, field) is value
    assert thread.last_activity_at == activity
    entry = only_log_entry()
    assert (entry.action, entry.target_type, entry.target_id) == (action, "thread", thread.pk)
    assert entry.before == {field: not value}
    assert entry.after == {field: value}


def test_actions_that_change_nothing_write_nothing(moderator, comment):
    thread = ThreadFactory(is_locked=True)

    assert services.restore_item(item=comment, moderator=moderator) is False
    assert services.lock_thread(thread=thread, moderator=moderator) is False
    assert services.resolve_reports(item=comment, moderator=moderator, resolution="x") == 0
    assert services.unban_member(member=UserFactory(), moderator=moderator) is False

    assert not ModerationLog.objects.exists()


def test_move_thread_fixes_both_boards_counters_and_raises_spoiler_levels(moderator):
    general, episode_nine = board("general"), board("episode-9")
    thread = ThreadFactory(board=general)
    reply(thread)
    reply(thread)
    before_general = Board.objects.get(pk=general.pk)
    before_nine = Board.objects.get(pk=episode_nine.pk)

    assert services.move_thread(
        thread=thread, board=episode_nine, moderator=moderator, reason="Spoils 9"
    )

    thread.refresh_from_db()
    assert thread.board == episode_nine
    assert thread.spoils_episode_id == 9
    assert set(thread.comments.values_list("spoils_episode_id", flat=True)) == {9}
    general.refresh_from_db()
    episode_nine.refresh_from_db()
    assert general.thread_count == before_general.thread_count - 1
    assert general.post_count == before_general.post_count - 3
    assert episode_nine.thread_count == before_nine.thread_count + 1
    assert episode_nine.post_count == before_nine.post_count + 3
    assert episode_nine.last_activity_at == thread.last_activity_at
    entry = only_log_entry()
    assert entry.action == Action.MOVE
    assert entry.before == {"board": general.pk, "spoils_episode": None}
    assert entry.after == {
        "board": episode_nine.pk,
        "spoils_episode": 9,
        "comments_raised_to_episode": 3,
    }


def test_moving_to_a_general_board_keeps_spoiler_levels(moderator):
    thread = ThreadFactory(board=board("episode-7"))

    services.move_thread(thread=thread, board=board("theories"), moderator=moderator)

    thread.refresh_from_db()
    assert thread.spoils_episode_id == 7
    assert only_log_entry().after == {"board": board("theories").pk}


def test_respoil_comment(moderator, comment):
    assert comment.spoils_episode_id == 3

    services.respoil_item(item=comment, episode_position=10, moderator=moderator, reason="Ep 10")

    comment.refresh_from_db()
    assert comment.spoils_episode_id == 10
    entry = only_log_entry()
    assert entry.action == Action.RESPOIL
    assert entry.before == {"spoils_episode": 3}
    assert entry.after == {"spoils_episode": 10}


def test_respoil_thread_takes_its_opening_post_along(moderator):
    thread = ThreadFactory(board=board("episode-2"))
    later = reply(thread)

    services.respoil_item(item=thread, episode_position=11, moderator=moderator)

    thread.refresh_from_db()
    assert thread.spoils_episode_id == 11
    opening = thread.comments.order_by("pk").first()
    assert opening.spoils_episode_id == 11
    # Raising a thread raises its other comments too (test_retag_thread.py).
    assert Comment.objects.get(pk=later.pk).spoils_episode_id == 11
    entry = only_log_entry()
    assert entry.before == {
        "spoils_episode": 2,
        "opening_post_spoils_episode": 2,
        "comments_raised": 0,
    }
    assert entry.after == {
        "spoils_episode": 11,
        "opening_post_spoils_episode": 11,
        "comments_raised": 1,
    }


def test_respoil_refuses_an_unknown_episode(moderator, comment):
    with pytest.raises(ValidationError):
        services.respoil_item(item=comment, episode_position=99, moderator=moderator)
    assert not ModerationLog.objects.exists()


@pytest.mark.parametrize(
    ("close", "status", "action"),
    [
        (
            lambda item, moderator: services.resolve_reports(
                item=item, moderator=moderator, resolution="Hidden as spam"
            ),
            Report.Status.RESOLVED,
            Action.RESOLVE,
        ),
        (
            lambda item, moderator: services.dismiss_reports(
                item=item, moderator=moderator, reason="Hidden as spam"
            ),
            Report.Status.DISMISSED,
            Action.DISMISS,
        ),
    ],
)
def test_closing_reports_records_who_when_why_in_one_entry_per_item(
    settings, moderator, comment, close, status, action
):
    settings.MODERATION_AUTO_HIDE_REPORTS = 10
    report_by(2, comment)
    other = CommentFactory()
    report_by(1, other)

    assert close(comment, moderator) == 2

    closed = Report.objects.filter(comment=comment)
    assert {report.status for report in closed} == {status}
    assert {report.resolved_by for report in closed} == {moderator}
    assert all(report.resolved_at is not None for report in closed)
    assert {report.resolution for report in closed} == {"Hidden as spam"}
    assert Report.objects.get(comment=other).status == Report.Status.OPEN
    entry = only_log_entry()
    assert entry.action == action
    assert entry.target_id == comment.pk
    ids = sorted(closed.values_list("pk", flat=True))
    assert entry.before == {"status": "open", "reports": ids}
    assert entry.after == {"status": status.value, "reports": ids}


# --- Member actions --------------------------------------------------------------------------


def test_warn_member_logs_and_emails_after_commit(moderator, django_capture_on_commit_callbacks):
    member = UserFactory(email="jinsu@example.com", display_name="Jin-su")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.warn_member(member=member, moderator=moderator, reason="Tag your spoilers")
    # Nothing is sent until the transaction commits.
    assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jinsu@example.com"]
    assert "warning" in message.subject.lower()
    assert "Tag your spoilers" in message.body
    assert "Hello Jin-su" in message.body
    entry = only_log_entry()
    assert (entry.action, entry.target_type, entry.target_id) == (Action.WARN, "member", member.pk)
    assert entry.reason == "Tag your spoilers"


def test_suspend_member(moderator):
    member = UserFactory()
    until = timezone.now() + datetime.timedelta(days=7)

    services.suspend_member(member=member, until=until, moderator=moderator, reason="Flaming")

    member.refresh_from_db()
    assert member.is_banned
    assert member.banned_until == until
    assert member.ban_reason == "Flaming"
    entry = only_log_entry()
    assert entry.action == Action.SUSPEND
    assert entry.before == {"banned_until": None, "ban_reason": ""}
    assert entry.after == {"banned_until": until.isoformat(), "ban_reason": "Flaming"}


def test_suspension_must_end_in_the_future_and_have_a_reason(moderator):
    member = UserFactory()
    with pytest.raises(ValidationError):
        services.suspend_member(
            member=member,
            until=timezone.now() - datetime.timedelta(days=1),
            moderator=moderator,
            reason="x",
        )
    with pytest.raises(ValidationError):
        services.ban_member(member=member, moderator=moderator, reason=" ")
    assert not ModerationLog.objects.exists()


def test_ban_is_permanent_and_unban_lifts_it(moderator):
    member = UserFactory()

    services.ban_member(member=member, moderator=moderator, reason="Spam bot")
    member.refresh_from_db()
    assert member.banned_until == datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
    assert services.describe_ban(member) == "permanently"

    services.unban_member(member=member, moderator=moderator, reason="Appeal accepted")
    member.refresh_from_db()
    assert not member.is_banned
    assert member.ban_reason == ""

    ban, unban = log_entries()
    assert ban.action == Action.BAN
    assert ban.after == {"banned_until": "9999-12-31T00:00:00+00:00", "ban_reason": "Spam bot"}
    assert unban.action == Action.UNBAN
    assert unban.before == ban.after
    assert unban.after == {"banned_until": None, "ban_reason": ""}


def test_hide_all_content_hides_comments_and_threads_in_one_entry(moderator):
    member = UserFactory()
    thread = ThreadFactory(author=member)  # its opening post is theirs too
    reply(ThreadFactory(), author=member)
    untouched = reply(thread)

    comments, threads = services.hide_all_content(
        member=member, moderator=moderator, reason="Spam account"
    )

    assert (comments, threads) == (2, 1)
    assert not Comment.objects.filter(author=member, is_hidden=False).exists()
    assert Thread.objects.get(pk=thread.pk).is_hidden
    assert not Comment.objects.get(pk=untouched.pk).is_hidden
    entry = only_log_entry()
    assert entry.action == Action.HIDE_ALL
    assert entry.before == {"visible_comments": 2, "visible_threads": 1}
    assert entry.after["hidden_comments"] == 2
    assert entry.after["thread_ids"] == [thread.pk]


# --- Permissions -----------------------------------------------------------------------------


def test_members_without_moderation_rights_are_refused(comment):
    member = UserFactory()
    plain_staff = UserFactory(is_staff=True)

    for user in (member, plain_staff, None):
        with pytest.raises(PermissionDenied):
            services.hide_item(item=comment, moderator=user)
        with pytest.raises(PermissionDenied):
            services.ban_member(member=comment.author, moderator=user, reason="x")
    assert not ModerationLog.objects.exists()


def test_moderators_cannot_act_on_themselves_superusers_or_other_staff(moderator):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    colleague = make_moderator()

    for target, message in [
        (moderator, "your own account"),
        (superuser, "Administrators"),
        (colleague, "Only an administrator"),
    ]:
        with pytest.raises(PermissionDenied, match=message):
            services.ban_member(member=target, moderator=moderator, reason="x")
        with pytest.raises(PermissionDenied):
            services.suspend_member(
                member=target,
                until=timezone.now() + datetime.timedelta(days=1),
                moderator=moderator,
                reason="x",
            )
    assert not ModerationLog.objects.exists()


def test_superusers_can_act_on_moderators_but_not_on_superusers():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    colleague = make_moderator()

    services.ban_member(member=colleague, moderator=superuser, reason="Abused the tools")

    with pytest.raises(PermissionDenied):
        services.ban_member(
            member=UserFactory(is_staff=True, is_superuser=True),
            moderator=superuser,
            reason="x",
        )
    assert only_log_entry().moderator == superuser
