"""Issue 13, item 7: the community can fix a missing tag fast.

Spoiler reports from members in good standing weigh more toward hiding a post until
moderators look. Members whose spoiler reports moderators upheld often enough become
spoiler guards: they raise (never lower) the episode any comment or thread spoils up
to, each change logged, undone by moderators in the admin, and the author told.
"""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.comments.services import post_comment
from fansite.moderation import services
from fansite.moderation.models import LevelChangeNotice, ModerationLog, Report
from fansite.users.models import User
from tests.users.factories import UserFactory

from .helpers import ThreadFactory, board, log_entries, make_moderator, only_log_entry

pytestmark = pytest.mark.django_db

Action = ModerationLog.Action
SECRET = "The class president bites the teacher tern-5593"
TITLE = "Everything about the hallway scene auk-1042"


def old_member(**kwargs):
    """A member in good standing: joined two months ago, nothing upheld against them."""
    return UserFactory(date_joined=timezone.now() - timedelta(days=60), **kwargs)


def guard(**kwargs):
    return old_member(spoiler_guard=User.GuardRole.GUARD, watched_up_to=12, **kwargs)


def report(member, item, reason=Report.Reason.SPOILER):
    services.report_item(reporter=member, item=item, reason=reason)


def is_hidden(item):
    return type(item).objects.get(pk=item.pk).is_hidden


@pytest.fixture
def moderator():
    return make_moderator(username="guard_mod")


@pytest.fixture
def comment():
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    return post_comment(target=thread, author=UserFactory(watched_up_to=12), body=SECRET)


def raise_url(item):
    kind = "comment" if isinstance(item, Comment) else "thread"
    return reverse("moderation:guard_raise", args=[kind, item.pk])


# --- Weighted reports -------------------------------------------------------------------------


@pytest.fixture
def _three_to_hide(settings):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    settings.MODERATION_TRUSTED_SPOILER_REPORT_WEIGHT = 2
    settings.GOOD_STANDING_ACCOUNT_AGE = timedelta(days=30)


@pytest.mark.usefixtures("_three_to_hide")
def test_spoiler_reports_from_members_in_good_standing_count_double(comment):
    report(old_member(), comment)
    assert not is_hidden(comment)

    report(old_member(), comment)

    assert is_hidden(comment)
    entry = only_log_entry(action=Action.AUTO_HIDE)
    assert "Reported by 2 members, counting as 4" in entry.reason


@pytest.mark.usefixtures("_three_to_hide")
def test_new_accounts_count_once(comment):
    report(UserFactory(), comment)
    report(UserFactory(date_joined=timezone.now() - timedelta(days=29)), comment)
    assert not is_hidden(comment)

    report(UserFactory(), comment)
    assert is_hidden(comment)


@pytest.mark.usefixtures("_three_to_hide")
def test_other_reasons_count_once_even_from_old_members(comment):
    report(old_member(), comment, reason=Report.Reason.SPAM)
    report(old_member(), comment, reason=Report.Reason.OFF_TOPIC)
    assert not is_hidden(comment)


@pytest.mark.usefixtures("_three_to_hide")
def test_a_member_with_an_upheld_report_against_them_counts_once(comment, moderator):
    troublemaker = old_member()
    their_thread = ThreadFactory(author=troublemaker)
    report(old_member(), their_thread, reason=Report.Reason.SPAM)
    services.resolve_reports(item=their_thread, moderator=moderator, resolution="Spam.")
    # A dismissed report against a member does not cost them their standing.
    dismissed = old_member()
    report(old_member(), ThreadFactory(author=dismissed), reason=Report.Reason.SPAM)
    services.dismiss_reports(item=dismissed.threads.get(), moderator=moderator)

    report(troublemaker, comment)
    report(UserFactory(), comment)
    assert not is_hidden(comment)
    report(dismissed, comment)
    assert is_hidden(comment)


def test_the_weight_is_a_setting(settings, comment):
    settings.MODERATION_AUTO_HIDE_REPORTS = 3
    settings.MODERATION_TRUSTED_SPOILER_REPORT_WEIGHT = 3

    report(old_member(), comment)

    assert is_hidden(comment)


# --- Becoming a guard -------------------------------------------------------------------------


def uphold_in_the_queue(client, item, episode=9):
    """The moderator's "Mark as spoiler" button in the report queue (upholds the reports)."""
    url = reverse("admin:moderation_report_queue_act", args=[type(item).__name__.lower(), item.pk])
    response = client.post(url, {"action": "respoil", "episode": episode, "reason": "Tagged."})
    assert response.status_code == HTTPStatus.FOUND


def dismiss_in_the_queue(client, item):
    url = reverse("admin:moderation_report_queue_act", args=[type(item).__name__.lower(), item.pk])
    assert client.post(url, {"action": "dismiss"}).status_code == HTTPStatus.FOUND


def test_the_kth_upheld_spoiler_report_makes_a_guard(client, settings, moderator):
    settings.SPOILER_GUARD_UPHELD_REPORTS = 3
    settings.MODERATION_AUTO_HIDE_REPORTS = 50
    reporter = UserFactory()
    client.force_login(moderator)
    for _ in range(2):
        thread = ThreadFactory()
        report(reporter, thread)
        uphold_in_the_queue(client, thread)
    # Dismissed reports and reports for other reasons do not count.
    dismissed = ThreadFactory()
    report(reporter, dismissed)
    dismiss_in_the_queue(client, dismissed)
    spam = ThreadFactory()
    report(reporter, spam, reason=Report.Reason.SPAM)
    services.resolve_reports(item=spam, moderator=moderator, resolution="Spam.")
    reporter.refresh_from_db()
    assert not reporter.is_spoiler_guard

    third = ThreadFactory()
    report(reporter, third)
    uphold_in_the_queue(client, third)

    reporter.refresh_from_db()
    assert reporter.is_spoiler_guard
    entry = only_log_entry(action=Action.GUARD_GRANT)
    assert entry.moderator is None
    assert (entry.target_type, entry.target_id) == ("member", reporter.pk)
    assert entry.after == {"spoiler_guard": "guard"}
    # The role shows on their profile.
    assert "Spoiler guard" in client.get(reporter.get_absolute_url()).text


def test_a_revoked_guard_is_not_made_one_again_by_more_upheld_reports(client, settings, moderator):
    settings.SPOILER_GUARD_UPHELD_REPORTS = 1
    member = guard()
    client.force_login(moderator)
    url = reverse("admin:users_user_changelist")
    data = {"action": "revoke_guard_role", "_selected_action": [member.pk]}
    client.post(url, data)
    client.post(url, {**data, "reason": "Re-tagged half the board", "apply": "yes"})
    member.refresh_from_db()
    assert member.spoiler_guard == User.GuardRole.REVOKED
    assert only_log_entry(action=Action.GUARD_REVOKE).reason == "Re-tagged half the board"

    thread = ThreadFactory()
    report(member, thread)
    uphold_in_the_queue(client, thread)

    member.refresh_from_db()
    assert not member.is_spoiler_guard
    # A revoked guard gets no form, and a hand-made post is refused.
    client.force_login(member)
    target = ThreadFactory(board=board("episode-3"))
    assert client.get(raise_url(target)).status_code == HTTPStatus.FORBIDDEN
    assert client.post(raise_url(target), {"spoils_episode": 9}).status_code == 403
    assert Comment.objects.get(thread=target).spoils_episode_id == 3


# --- Raising levels ---------------------------------------------------------------------------


def test_a_guard_raises_a_comment_and_the_author_is_told(client, comment):
    member = guard()
    client.force_login(member)
    thread_page = client.get(comment.thread.get_absolute_url()).text
    assert raise_url(comment) in thread_page
    assert raise_url(comment.thread) in thread_page

    response = client.post(raise_url(comment), {"spoils_episode": 9, "reason": "Ep 9 twist"})

    assert response.status_code == HTTPStatus.FOUND
    comment.refresh_from_db()
    assert comment.spoils_episode_id == 9
    entry = only_log_entry(action=Action.GUARD_RAISE)
    assert entry.moderator == member
    assert entry.before == {"spoils_episode": 3}
    assert entry.after == {"spoils_episode": 9}
    assert entry.reason == "Ep 9 twist"
    notice = LevelChangeNotice.objects.get()
    assert (notice.recipient_id, notice.cause) == (comment.author_id, "guard")
    client.force_login(comment.author)
    assert "A spoiler guard changed the spoiler episode of your comment" in client.get("/").text

    client.force_login(UserFactory(watched_up_to=3))
    assert SECRET not in client.get(comment.thread.get_absolute_url()).text
    client.force_login(UserFactory(watched_up_to=9))
    assert SECRET in client.get(comment.thread.get_absolute_url()).text


def test_members_who_are_not_guards_see_no_raise_link_and_cannot_raise(client, comment):
    client.force_login(old_member(watched_up_to=12))
    assert raise_url(comment) not in client.get(comment.thread.get_absolute_url()).text

    response = client.post(raise_url(comment), {"spoils_episode": 9})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Only spoiler guards" in response.text
    comment.refresh_from_db()
    assert comment.spoils_episode_id == 3


def test_a_guard_cannot_lower_a_level(client, comment):
    Comment.objects.filter(pk=comment.pk).update(spoils_episode_id=9)
    client.force_login(guard())

    page = client.get(raise_url(comment)).text
    refused = client.post(raise_url(comment), {"spoils_episode": 5, "reason": "kept text"})

    menu = re.search(r'<select name="spoils_episode"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', menu) == ["10", "11", "12"]
    assert refused.status_code == HTTPStatus.OK
    assert "Choose an episode after the one it spoils up to now." in refused.text
    assert 'value="kept text"' in refused.text
    comment.refresh_from_db()
    assert comment.spoils_episode_id == 9
    with pytest.raises(services.PostingRefused):
        services.guard_raise_item(item=comment, guard=guard(), episode_position=4)
    assert not log_entries(action=Action.GUARD_RAISE)


def test_a_banned_guard_cannot_act(client, comment):
    member = guard(banned_until=timezone.now() + timedelta(days=2), ban_reason="Rude")
    client.force_login(member)
    assert raise_url(comment) not in client.get(comment.thread.get_absolute_url()).text

    response = client.post(raise_url(comment), {"spoils_episode": 9})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Rude" in response.text
    comment.refresh_from_db()
    assert comment.spoils_episode_id == 3


def test_the_raise_form_needs_its_csrf_token(comment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(guard())
    assert client.post(raise_url(comment), {"spoils_episode": 9}).status_code == 403
    comment.refresh_from_db()
    assert comment.spoils_episode_id == 3


def test_a_guard_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "guard": ["3/m/user"]}
    thread = ThreadFactory(board=board("episode-3"))
    comments = [post_comment(target=thread, author=UserFactory(), body=f"C {n}") for n in range(4)]
    client.force_login(guard())

    answers = [client.post(raise_url(c), {"spoils_episode": 9}).status_code for c in comments]

    assert answers == [302, 302, 302, HTTPStatus.TOO_MANY_REQUESTS]
    assert Comment.objects.get(pk=comments[3].pk).spoils_episode_id == 3


def test_a_guard_raising_a_thread_carries_its_comments(client):
    opener = UserFactory(watched_up_to=12)
    commenter = UserFactory(watched_up_to=3)
    thread = ThreadFactory(board=board("episode-3"), author=opener, title=TITLE)
    post_comment(target=thread, author=commenter, body=SECRET)
    client.force_login(guard())

    client.post(raise_url(thread), {"spoils_episode": 10, "reason": "Finale spoilers"})

    assert set(Comment.objects.filter(thread=thread).values_list("spoils_episode", flat=True)) == {
        10
    }
    entry = only_log_entry(action=Action.GUARD_RAISE)
    assert entry.after["comments_raised"] == 1
    client.force_login(UserFactory(watched_up_to=3))
    html = client.get(thread.get_absolute_url()).text
    assert TITLE not in html
    assert SECRET not in html
    # The commenter, at episode 3, is told without the title.
    client.force_login(commenter)
    html = client.get("/").text
    assert "A spoiler guard raised the spoiler episode of a thread on the Episode 3 board" in html
    assert TITLE not in html


# --- Undoing ----------------------------------------------------------------------------------


def undo_in_the_admin(client, entry, reason="Too high"):
    url = reverse("admin:moderation_moderationlog_changelist")
    data = {"action": "undo_guard_raises", "_selected_action": [entry.pk]}
    assert client.post(url, data).status_code == HTTPStatus.OK  # the intermediate page
    return client.post(url, {**data, "reason": reason, "apply": "yes"}, follow=True)


def test_a_moderator_undoes_a_guards_raise_comments_included(client, moderator):
    thread = ThreadFactory(board=board("episode-3"), title=TITLE)
    early = post_comment(target=thread, author=UserFactory(), body="Early")
    later = post_comment(target=thread, author=UserFactory(), body="Later", spoils_episode=5)
    member = guard()
    services.guard_raise_item(item=thread, guard=member, episode_position=11)
    entry = only_log_entry(action=Action.GUARD_RAISE)
    client.force_login(moderator)

    response = undo_in_the_admin(client, entry)

    assert "Undid 1 spoiler guard change." in response.text
    levels = dict(Comment.objects.filter(thread=thread).values_list("pk", "spoils_episode"))
    assert levels[early.pk] == 3
    assert levels[later.pk] == 5
    thread.refresh_from_db()
    assert thread.spoils_episode_id == 3
    undo = only_log_entry(action=Action.GUARD_UNDO)
    assert undo.moderator == moderator
    assert undo.before == {"spoils_episode": 11, "undoes": entry.pk}
    assert undo.after == {"spoils_episode": 3, "comments_restored": 2}

    # Twice is refused, and said so.
    again = undo_in_the_admin(client, entry)
    assert "undone already" in again.text
    assert len(log_entries(action=Action.GUARD_UNDO)) == 1


def test_an_undo_is_refused_once_the_level_changed_again(client, moderator, comment):
    services.guard_raise_item(item=comment, guard=guard(), episode_position=7)
    services.respoil_item(item=comment, episode_position=10, moderator=moderator)
    client.force_login(moderator)

    response = undo_in_the_admin(client, only_log_entry(action=Action.GUARD_RAISE))

    assert "has changed since" in response.text
    comment.refresh_from_db()
    assert comment.spoils_episode_id == 10


def test_members_without_moderation_rights_cannot_undo(comment):
    services.guard_raise_item(item=comment, guard=guard(), episode_position=7)
    with pytest.raises(services.PermissionDenied):
        services.undo_guard_raise(
            entry=only_log_entry(action=Action.GUARD_RAISE), moderator=guard()
        )


def test_the_thread_page_takes_as_many_queries_for_a_guard_as_for_a_member(
    client, django_assert_max_num_queries
):
    thread = ThreadFactory(board=board("episode-3"))
    for number in range(5):
        post_comment(target=thread, author=UserFactory(), body=f"Comment {number}")
    client.force_login(old_member(watched_up_to=12))
    with django_assert_max_num_queries(20) as member_queries:
        client.get(thread.get_absolute_url(), {"reply_to": ""})  # never cached
    member_count = len(member_queries.captured_queries)

    client.force_login(guard())
    with django_assert_max_num_queries(member_count):
        html = client.get(thread.get_absolute_url(), {"reply_to": ""}).text
    assert html.count("Raise spoiler episode") == 1 + 6


def test_the_raise_page_keeps_spoilers_from_a_guard_behind_them(client):
    thread = ThreadFactory(board=board("episode-3"), title=TITLE, spoils_episode=9)
    comment = post_comment(target=thread, author=UserFactory(), body=SECRET)
    client.force_login(old_member(watched_up_to=3, spoiler_guard=User.GuardRole.GUARD))

    for url in (raise_url(comment), raise_url(thread)):
        html = client.get(url).text
        assert SECRET not in html
        assert TITLE not in html
        assert "Spoiler for episode 9" in html

    client.force_login(guard())  # caught up
    assert SECRET in client.get(raise_url(comment)).text
    assert TITLE in client.get(raise_url(thread)).text


def test_the_log_entry_page_offers_the_undo(client, moderator, comment):
    services.guard_raise_item(item=comment, guard=guard(), episode_position=7)
    entry = only_log_entry(action=Action.GUARD_RAISE)
    client.force_login(moderator)

    page = client.get(reverse("admin:moderation_moderationlog_change", args=[entry.pk])).text

    assert "Undo the selected spoiler guard changes" in page
