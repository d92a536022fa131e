"""Who hears about a post, and how their lines group."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from fansite.comments.forms import quote_markdown
from fansite.comments.services import post_comment
from fansite.notifications import services, tasks
from fansite.notifications.models import FanOut, Follow, Notification
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def lines_of(member):
    return list(Notification.objects.filter(recipient=member).values_list("kind", "count"))


def test_a_reply_to_a_comment_notifies_its_author(posting, alice, bob, carol):
    thread = posting.thread(carol)
    comment = posting.comment(thread, alice, "First!")
    posting.comment(thread, bob, "Answering you.", parent=comment)

    assert lines_of(alice) == [(Kind.REPLY, 1)]


def test_a_comment_on_the_thread_is_a_reply_to_its_author(posting, alice, bob):
    thread = posting.thread(alice)
    reply = posting.comment(thread, bob, "Nice thread.")

    notification = Notification.objects.get(recipient=alice)
    assert (notification.kind, notification.comment, notification.actor) == (Kind.REPLY, reply, bob)


def test_quoting_a_comment_notifies_its_author(posting, alice, bob, carol):
    thread = posting.thread(carol)
    comment = posting.comment(thread, alice, "A quotable line.")
    posting.comment(thread, bob, f"{quote_markdown(comment)}\n\nSo true.")

    assert lines_of(alice) == [(Kind.QUOTE, 1)]


def test_a_mention_notifies_and_links_the_member(posting, alice, bob, carol):
    thread = posting.thread(carol)
    comment = posting.comment(thread, bob, "What do you think, @alice? And @nobody?")

    assert lines_of(alice) == [(Kind.MENTION, 1)]
    assert 'href="/members/alice/" class="mention"' in comment.body_html
    assert "@nobody?" in comment.body_html
    assert "/members/nobody/" not in comment.body_html


def test_a_mention_in_code_or_a_link_is_not_one(posting, alice, bob, carol):
    thread = posting.thread(carol)
    comment = posting.comment(thread, bob, "`@alice` and [ask @alice](https://example.com)")

    assert 'class="mention"' not in comment.body_html
    assert lines_of(alice) == []


def test_a_mention_inside_a_quote_does_not_notify(posting, alice, bob, carol):
    thread = posting.thread(carol)
    quoted = posting.comment(thread, bob, "I agree with @alice here.")
    Notification.objects.all().delete()
    posting.comment(thread, carol, f"{quote_markdown(quoted)}\n\nHm.")

    # Bob is quoted; Alice is only named inside Bob's words.
    assert lines_of(alice) == []
    assert lines_of(bob) == [(Kind.QUOTE, 1)]


def test_one_line_per_person_per_post_the_most_direct_kind(posting, alice, bob, carol):
    thread = posting.thread(alice)
    comment = posting.comment(thread, alice, "Mine.")
    posting.comment(
        thread, bob, f"{quote_markdown(comment)}\n\nRight, @alice, @alice!", parent=comment
    )

    # A reply, a quote and two mentions of Alice, in a thread she follows: one line.
    assert lines_of(alice) == [(Kind.MENTION, 1)]


def test_nobody_is_told_about_their_own_post(posting, alice):
    thread = posting.thread(alice)
    comment = posting.comment(thread, alice, "Talking to myself, @alice.")
    posting.comment(thread, alice, "Still me.", parent=comment)

    assert lines_of(alice) == []


def test_banned_members_hear_nothing(posting, alice, bob):
    thread = posting.thread(alice)
    alice.banned_until = timezone.now() + timedelta(days=3)
    alice.save()
    posting.comment(thread, bob, "Hello @alice.")

    assert lines_of(alice) == []


def test_a_post_hidden_before_the_task_runs_notifies_nobody(posting, alice, bob):
    thread = posting.thread(alice)
    comment = posting.comment(thread, bob, "Soon hidden.")
    Notification.objects.all().delete()
    FanOut.objects.all().delete()
    comment.is_hidden = True
    comment.save(update_fields=["is_hidden"])

    assert services.notify_about_comment(comment.pk) == 0
    assert lines_of(alice) == []


def test_replies_group_into_one_line_until_it_is_read(posting, alice, bob, carol):
    thread = posting.thread(alice)
    for n in range(3):
        posting.comment(thread, bob if n % 2 else carol, f"Reply {n}.")

    line = Notification.objects.get(recipient=alice)
    assert (line.kind, line.count, line.actor) == (Kind.REPLY, 3, carol)
    assert line.comment.body == "Reply 2."

    services.mark_all_read(member=alice)
    posting.comment(thread, bob, "Reply 3.")
    assert sorted(lines_of(alice)) == [(Kind.REPLY, 1), (Kind.REPLY, 3)]


def test_running_the_task_twice_writes_nothing_twice(posting, alice, bob):
    thread = posting.thread(alice)
    comment = posting.comment(thread, bob, "Once.")

    assert tasks.fan_out.call(comment.pk) == "done before"
    assert services.notify_about_comment(comment.pk) is None
    assert lines_of(alice) == [(Kind.REPLY, 1)]


def test_posting_enqueues_one_task_at_commit_whatever_the_followers(
    django_capture_on_commit_callbacks, posting, alice, bob
):
    thread = posting.thread(alice)
    Follow.objects.bulk_create(Follow(member=fan, thread=thread) for fan in _many_members(30))

    with django_capture_on_commit_callbacks() as callbacks:
        post_comment(target=thread, author=bob, body="Hello all.")
    # Nothing is written in the request, and one task waits for the commit.
    assert Notification.objects.count() == 0
    fan_outs = [c for c in callbacks if "fan_out" in c.__qualname__]
    assert len(fan_outs) == 1

    fan_outs[0]()
    assert Notification.objects.count() == 31


def test_thread_followers_hear_of_new_comments(posting, alice, bob, carol):
    thread = posting.thread(carol)
    services.follow(member=alice, target=thread)
    posting.comment(thread, bob, "News.")
    posting.comment(thread, bob, "More news.")

    assert lines_of(alice) == [(Kind.NEW_COMMENT, 2)]


def test_board_followers_hear_of_new_threads(posting, alice, bob):
    services.follow(member=alice, target=posting.thread(bob).board)
    posting.thread(bob, title="Second")
    posting.comment(posting.thread(bob, title="Third"), bob, "Not a new thread.")

    assert lines_of(alice) == [(Kind.NEW_THREAD, 2)]


def test_posting_follows_the_thread(posting, alice, bob):
    thread = posting.thread(alice)
    posting.comment(thread, bob, "Joining in.")

    assert set(Follow.objects.active().values_list("member__username", flat=True)) == {
        "alice",
        "bob",
    }
    posting.comment(thread, UserFactory(), "A third voice.")
    assert lines_of(bob) == [(Kind.NEW_COMMENT, 1)]


def test_unfollowing_beats_posting_again(posting, alice, bob):
    thread = posting.thread(alice)
    posting.comment(thread, bob, "Joining in.")
    services.unfollow(member=bob, target=thread)
    posting.comment(thread, bob, "Still here, but not following.")
    posting.comment(thread, alice, "Anyone?")

    assert not Follow.objects.active().filter(member=bob).exists()
    assert lines_of(bob) == []


def test_members_may_turn_auto_follow_off(posting, alice, bob):
    services.set_follow_threads_posted_in(member=bob, value=False)
    thread = posting.thread(alice)
    posting.comment(thread, bob, "Drive-by.")

    assert not Follow.objects.filter(member=bob).exists()


def _many_members(count):
    return [UserFactory(username=f"fan{n}") for n in range(count)]


def test_mentions_notify_ten_members_at_most(posting, alice):
    fans = _many_members(12)
    thread = posting.thread(alice)
    comment = posting.comment(thread, alice, " ".join(f"@{fan.username}" for fan in fans))

    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {f"fan{n}" for n in range(10)}
    # Every one is still a link.
    assert comment.body_html.count('class="mention"') == 12


def test_new_members_mentions_notify_two_at_most(posting, alice, settings):
    settings.NEW_ACCOUNT_PERIOD = timedelta(days=7)
    newcomer = UserFactory(username="newcomer")
    fans = _many_members(4)
    thread = posting.thread(alice)
    posting.comment(thread, newcomer, " ".join(f"@{fan.username}" for fan in fans))

    notified = set(
        Notification.objects.filter(kind=Kind.MENTION).values_list("recipient__username", flat=True)
    )
    assert notified == {"fan0", "fan1"}


def test_fan_out_queries_do_not_grow_with_followers(
    posting, alice, bob, django_assert_max_num_queries
):
    thread = posting.thread(alice)
    Follow.objects.bulk_create(Follow(member=fan, thread=thread) for fan in _many_members(40))
    comment = posting.comment(thread, bob, "To everyone.")
    FanOut.objects.all().delete()
    Notification.objects.all().delete()

    # A query per kind notified reads who wants an email at once (two kinds here).
    with django_assert_max_num_queries(18):
        assert services.notify_about_comment(comment.pk) == 41


def test_the_sweep_writes_what_a_lost_task_did_not_once(posting, alice, bob):
    thread = posting.thread(alice)
    # Saved without the service: no task, as if the worker died or the task was lost.
    lost = thread.comments.create(author=bob, body="Lost in the queue.")
    call_command("requeue_notifications", verbosity=0)
    assert lines_of(alice) == []  # too recent: its task may still be on its way

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        call_command("requeue_notifications", verbosity=0)
        call_command("requeue_notifications", verbosity=0)

    assert lines_of(alice) == [(Kind.REPLY, 1)]
    assert FanOut.objects.filter(comment=lost).exists()


def test_how_long_the_sweep_waits_is_a_setting(posting, alice, bob, settings):
    settings.NOTIFICATION_REQUEUE_AFTER = 30
    thread = posting.thread(alice)
    thread.comments.create(author=bob, body="Lost in the queue.")

    with time_machine.travel(timezone.now() + timedelta(seconds=20)):
        call_command("requeue_notifications", verbosity=0)
    assert lines_of(alice) == []
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        call_command("requeue_notifications", verbosity=0)

    assert lines_of(alice) == [(Kind.REPLY, 1)]
