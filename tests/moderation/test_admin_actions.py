"""Bulk moderation actions in the comment, thread and member changelists, and the
read-only moderation log, used through the admin as a moderator would."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.moderation.models import ModerationLog
from fansite.moderation.services import PERMANENT_BAN_UNTIL, ban_member
from fansite.threads.models import Board, Thread
from tests.threads.factories import reply
from tests.users.factories import UserFactory

from .helpers import CommentFactory, ThreadFactory, board, logged_in, make_moderator

pytestmark = pytest.mark.django_db

Action = ModerationLog.Action
COMMENTS = "admin:comments_comment_changelist"
THREADS = "admin:threads_thread_changelist"
MEMBERS = "admin:users_user_changelist"


@pytest.fixture
def moderator():
    return make_moderator(username="mod")


@pytest.fixture
def moderator_client(client, moderator):
    return logged_in(client, moderator)


def run_action(client, changelist, action, items, **form):
    """Choose ``action`` for ``items`` in the changelist, then submit its form (if any)."""
    data = {"action": action, "_selected_action": [item.pk for item in items]}
    url = reverse(changelist)
    first = client.post(url, data)
    if not form:
        return first
    assert first.status_code == HTTPStatus.OK  # the intermediate page
    return client.post(url, {**data, **form, "apply": "yes"}, follow=True)


def actions_logged(**filters):
    return list(
        ModerationLog.objects.filter(**filters).order_by("pk").values_list("action", flat=True)
    )


# --- Comments --------------------------------------------------------------------------------


def test_bulk_hide_and_restore_comments(moderator_client, moderator):
    comments = CommentFactory.create_batch(3)

    response = run_action(moderator_client, COMMENTS, "hide_comments", comments)

    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(pk__in=[c.pk for c in comments], is_hidden=True).count() == 3
    assert actions_logged(moderator=moderator) == [Action.HIDE] * 3

    run_action(moderator_client, COMMENTS, "unhide_comments", comments[:1])
    assert not Comment.objects.get(pk=comments[0].pk).is_hidden
    assert actions_logged(action=Action.RESTORE) == [Action.RESTORE]


def test_bulk_change_spoiler_episode_of_comments(moderator_client):
    comments = CommentFactory.create_batch(2)

    page = moderator_client.post(
        reverse(COMMENTS),
        {"action": "respoil_comments", "_selected_action": [c.pk for c in comments]},
    )
    assert "Change the spoiler episode" in page.text
    assert 'name="episode"' in page.text
    response = run_action(
        moderator_client, COMMENTS, "respoil_comments", comments, episode="6", reason="Ep 6"
    )

    assert "Changed the spoiler episode of 2 comments." in response.text
    assert set(Comment.objects.values_list("spoils_episode_id", flat=True)) >= {6}
    for comment in comments:
        comment.refresh_from_db()
        assert comment.spoils_episode_id == 6
    entries = ModerationLog.objects.filter(action=Action.RESPOIL)
    assert {entry.reason for entry in entries} == {"Ep 6"}
    assert entries.count() == 2


def test_comment_change_page_is_read_only(moderator_client, admin_client):
    comment = CommentFactory(body="Original words")
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    for client in (moderator_client, admin_client):
        page = client.get(url)
        assert page.status_code == HTTPStatus.OK
        assert 'name="body"' not in page.text
        assert client.post(url, {"body": "Rewritten"}).status_code == HTTPStatus.FORBIDDEN
    comment.refresh_from_db()
    assert comment.body == "Original words"


def test_hide_action_from_the_comment_change_page(moderator_client):
    comment = CommentFactory()
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    response = moderator_client.post(
        url, {"CHANGE_FORM-action": "hide_comments", "_selected_action": [comment.pk]}
    )

    assert response.status_code == HTTPStatus.FOUND
    comment.refresh_from_db()
    assert comment.is_hidden


# --- Threads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field", "value", "logged"),
    [
        ("hide_threads", "is_hidden", True, Action.HIDE),
        ("lock", "is_locked", True, Action.LOCK),
        ("pin", "is_pinned", True, Action.PIN),
    ],
)
def test_bulk_thread_flags_are_logged(moderator_client, moderator, action, field, value, logged):
    threads = ThreadFactory.create_batch(2)

    run_action(moderator_client, THREADS, action, threads)

    assert set(Thread.objects.values_list(field, flat=True)) == {value}
    assert actions_logged(moderator=moderator) == [logged, logged]


def test_thread_changelist_shows_and_filters_hidden(moderator_client, moderator):
    hidden = ThreadFactory(title="Hidden one")
    ThreadFactory(title="Visible one")
    run_action(moderator_client, THREADS, "hide_threads", [hidden])

    response = moderator_client.get(reverse(THREADS), {"is_hidden__exact": "1"})

    assert "Hidden one" in response.text
    assert "Visible one" not in response.text
    assert "hidden by moderators" in response.text.lower()

    run_action(moderator_client, THREADS, "restore_threads", [hidden])
    hidden.refresh_from_db()
    assert not hidden.is_hidden


def test_move_threads_to_another_board(moderator_client, moderator):
    source, target = board("general"), board("episode-5")
    threads = ThreadFactory.create_batch(2, board=source)
    reply(threads[0])
    before = {b.pk: (b.thread_count, b.post_count) for b in Board.objects.all()}

    response = run_action(
        moderator_client, THREADS, "move_threads", threads, board=str(target.pk), reason="Ep 5"
    )

    assert "Moved 2 threads." in response.text
    assert set(Thread.objects.values_list("board", flat=True)) == {target.pk}
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.thread_count, source.post_count) == (
        before[source.pk][0] - 2,
        before[source.pk][1] - 3,
    )
    assert (target.thread_count, target.post_count) == (
        before[target.pk][0] + 2,
        before[target.pk][1] + 3,
    )
    assert actions_logged(moderator=moderator) == [Action.MOVE, Action.MOVE]


def test_move_form_needs_a_board(moderator_client):
    thread = ThreadFactory()

    response = run_action(moderator_client, THREADS, "move_threads", [thread], reason="x")

    assert response.status_code == HTTPStatus.OK
    assert "This field is required" in response.text
    assert not ModerationLog.objects.exists()


def test_bulk_change_spoiler_episode_of_threads(moderator_client):
    thread = ThreadFactory()

    run_action(moderator_client, THREADS, "respoil_threads", [thread], episode="4", reason="")

    thread.refresh_from_db()
    assert thread.spoils_episode_id == 4
    assert actions_logged() == [Action.RESPOIL]


def test_thread_change_page_is_read_only(admin_client):
    thread = ThreadFactory(title="Keep me")
    url = reverse("admin:threads_thread_change", args=[thread.pk])

    assert 'name="title"' not in admin_client.get(url).text
    assert admin_client.post(url, {"title": "Changed"}).status_code == HTTPStatus.FORBIDDEN


# --- Members ---------------------------------------------------------------------------------


def test_moderator_suspends_members_through_the_action_page(moderator_client, moderator):
    members = UserFactory.create_batch(2)
    until = timezone.localdate() + datetime.timedelta(days=3)

    page = moderator_client.post(
        reverse(MEMBERS),
        {"action": "suspend_members", "_selected_action": [m.pk for m in members]},
    )
    assert page.status_code == HTTPStatus.OK
    assert 'type="date"' in page.text
    response = run_action(
        moderator_client,
        MEMBERS,
        "suspend_members",
        members,
        until=until.isoformat(),
        reason="Spoiler spree",
    )

    assert "Suspended 2 members." in response.text
    for member in members:
        member.refresh_from_db()
        assert member.is_banned
        assert timezone.localtime(member.banned_until).date() == until
        assert member.ban_reason == "Spoiler spree"
    assert actions_logged(moderator=moderator) == [Action.SUSPEND, Action.SUSPEND]


def test_suspension_date_must_be_in_the_future(moderator_client):
    member = UserFactory()

    response = run_action(
        moderator_client,
        MEMBERS,
        "suspend_members",
        [member],
        until=timezone.localdate().isoformat(),
        reason="x",
    )

    assert "Choose a day in the future." in response.text
    member.refresh_from_db()
    assert not member.is_banned


def test_ban_and_lift_ban(moderator_client, moderator):
    member = UserFactory()

    run_action(moderator_client, MEMBERS, "ban_members", [member], reason="Spam")
    member.refresh_from_db()
    assert member.banned_until == PERMANENT_BAN_UNTIL

    run_action(moderator_client, MEMBERS, "unban_members", [member], reason="Appeal")
    member.refresh_from_db()
    assert not member.is_banned
    assert actions_logged(moderator=moderator) == [Action.BAN, Action.UNBAN]


def test_ban_needs_a_reason(moderator_client):
    member = UserFactory()

    response = run_action(moderator_client, MEMBERS, "ban_members", [member], reason="")

    assert "This field is required" in response.text
    member.refresh_from_db()
    assert not member.is_banned


def test_ban_action_from_the_member_change_page(moderator_client):
    member = UserFactory()
    url = reverse("admin:users_user_change", args=[member.pk])
    data = {"CHANGE_FORM-action": "ban_members", "_selected_action": [member.pk]}

    page = moderator_client.post(url, data)
    assert page.status_code == HTTPStatus.OK
    assert "Ban members permanently" in page.text
    response = moderator_client.post(url, {**data, "reason": "Bot", "apply": "yes"}, follow=True)

    assert "Banned 1 member." in response.text
    member.refresh_from_db()
    assert member.ban_reason == "Bot"
    assert "Banned permanently. Reason: Bot" in response.text


def test_refusals_are_reported_per_member(moderator_client, moderator):
    admin = UserFactory(is_staff=True, is_superuser=True)
    member = UserFactory()

    response = run_action(moderator_client, MEMBERS, "ban_members", [admin, member], reason="x")

    assert "cannot be moderated" in response.text
    assert "Banned 1 member." in response.text
    admin.refresh_from_db()
    assert not admin.is_banned


def test_hide_all_content_action(moderator_client):
    member = UserFactory(username="spammer")
    ThreadFactory(author=member)
    reply(ThreadFactory(), author=member)

    response = run_action(
        moderator_client, MEMBERS, "hide_all_content", [member], reason="Spam account"
    )

    assert "Spammer: hid 2 comments and 1 thread." in response.text  # the admin capitalises
    assert not Comment.objects.filter(author=member, is_hidden=False).exists()
    assert actions_logged() == [Action.HIDE_ALL]


def test_member_page_shows_the_ban_read_only_with_history_link(moderator_client, moderator):
    member = UserFactory()
    ban_member(member=member, moderator=moderator, reason="Flood")

    response = moderator_client.get(reverse("admin:users_user_change", args=[member.pk]))

    assert response.status_code == HTTPStatus.OK
    assert "Banned permanently. Reason: Flood" in response.text
    assert 'name="banned_until"' not in response.text
    assert 'name="ban_reason"' not in response.text
    assert f"target_type=member&amp;target_id={member.pk}" in response.text


def test_member_list_filters_banned_members(moderator_client, moderator):
    banned = UserFactory(username="banned-one")
    UserFactory(username="fine-one")
    ban_member(member=banned, moderator=moderator, reason="x")

    response = moderator_client.get(reverse(MEMBERS), {"banned": "yes"})

    assert "banned-one" in response.text
    assert "fine-one" not in response.text


# --- The moderation log ----------------------------------------------------------------------


def test_log_lists_entries_with_filters_and_shows_before_after(moderator_client, moderator):
    member = UserFactory(username="target-member")
    ban_member(member=member, moderator=moderator, reason="Flood")
    entry = ModerationLog.objects.get()
    changelist = reverse("admin:moderation_moderationlog_changelist")

    listing = moderator_client.get(changelist)
    filtered = moderator_client.get(changelist, {"action__exact": "hide"})
    detail = moderator_client.get(reverse("admin:moderation_moderationlog_change", args=[entry.pk]))

    assert listing.status_code == HTTPStatus.OK
    assert "Member target-member" in listing.text
    assert "Banned member" in listing.text
    assert "By moderator" in listing.text  # filter titles
    assert "By action" in listing.text
    assert "Member target-member" not in filtered.text
    assert detail.status_code == HTTPStatus.OK
    assert "&quot;ban_reason&quot;: &quot;Flood&quot;" in detail.text
    assert "9999-12-31" in detail.text
    assert 'name="reason"' not in detail.text
