"""Notification emails: written by the worker for each recipient, once, only to those
who want them and may receive email, and never spoiling beyond the recipient's
progress when they are written, in the subject, the text or the HTML."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from fansite.comments.forms import quote_markdown
from fansite.emails.models import DigestRun, Email
from fansite.emails.preferences import set_email_mode
from fansite.emails.unsubscribe import site_origin
from fansite.moderation import services as moderation
from fansite.notifications import mail as notification_mail
from fansite.notifications import services
from fansite.notifications.models import CommentEmail, FanOut, Notification
from fansite.spoilers.levels import NO_SPOILERS
from tests.moderation.helpers import make_moderator
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db
LEVELS = (3, 9, 12)


def messages_to(member):
    return [message for message in mail.outbox if message.to == [member.email]]


def everything(message):
    """The subject, the plain text and the HTML of a sent message."""
    html = "".join(content for content, _type in getattr(message, "alternatives", []))
    return f"{message.subject}\n{message.body}\n{html}"


def _secrets_in(text):
    return {int(n) for n in re.findall(r"(?:TITLE|BODY|REPLY)-SECRET-(\d+)", text)}


# --- Who gets one ---------------------------------------------------------------------------


def test_a_reply_is_emailed_at_once_by_default(posting, alice, bob):
    thread = posting.thread(alice, title="Rooftop night")
    comment = posting.comment(thread, bob, "They made it to the roof!")

    (message,) = messages_to(alice)
    assert message.subject == "[Hyosan Survivors] Bob replied to you in “Rooftop night”"
    assert "“They made it to the roof!”" in message.body
    assert f"Open it: {site_origin()}/comments/{comment.pk}/" in message.body
    html = message.alternatives[0][0]
    assert '<blockquote style="margin:0 0 12px;padding:4px 12px;' in html
    assert "They made it to the roof!</blockquote>" in html
    # One-click unsubscribe, as on every notification email.
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/email/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_kinds_left_off_send_nothing_and_a_follower_opts_in(posting, alice, bob, carol):
    thread = posting.thread(alice)
    services.follow(member=carol, target=thread)
    posting.comment(thread, bob, "First.")
    assert messages_to(carol) == []  # new comments in followed threads: off by default

    set_email_mode(member=carol, kind="new_comment", mode="immediate")
    posting.comment(thread, bob, "Second.")

    (message,) = messages_to(carol)
    assert message.subject == "[Hyosan Survivors] Bob commented in “A thread”"
    assert "“Second.”" in message.body


def test_turning_a_kind_off_stops_its_emails(posting, alice, bob):
    set_email_mode(member=alice, kind="reply", mode="off")
    thread = posting.thread(alice)
    posting.comment(thread, bob, "Hello?")

    assert messages_to(alice) == []
    assert Notification.objects.filter(recipient=alice).count() == 1  # the centre still has it


def test_the_choice_at_writing_time_counts(posting, alice, bob, django_capture_on_commit_callbacks):
    """Switched off between the fan-out and the email task: nothing is sent."""
    thread = posting.thread(alice)
    with django_capture_on_commit_callbacks(execute=False):
        comment = posting_without_tasks(thread, bob)
    services.notify_about_comment(comment.pk)
    set_email_mode(member=alice, kind="reply", mode="off")

    assert notification_mail.email_about_comment(comment.pk) == 0
    assert messages_to(alice) == []


def posting_without_tasks(thread, author):
    from fansite.comments.services import post_comment

    return post_comment(target=thread, author=author, body="Quiet reply.")


def test_nothing_goes_to_an_unverified_address(posting, alice, bob):
    thread = posting.thread(alice)
    EmailAddress.objects.filter(user=alice).update(verified=False)
    posting.comment(thread, bob, "Anyone?")

    assert messages_to(alice) == []
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_nothing_goes_to_a_deactivated_member(posting, alice, bob):
    thread = posting.thread(alice)
    alice.is_active = False
    alice.save()
    posting.comment(thread, bob, "Anyone?")

    assert messages_to(alice) == []


def test_nothing_goes_to_a_banned_member(posting, alice, bob):
    thread = posting.thread(alice)
    alice.banned_until = timezone.now() + timedelta(days=3)
    alice.save()
    posting.comment(thread, bob, "Anyone?")

    assert messages_to(alice) == []


def test_one_email_per_person_per_post_whatever_the_kinds(posting, alice, bob):
    """Alice is replied to, quoted and mentioned in one post: one email, the mention."""
    thread = posting.thread(alice)
    first = posting.comment(thread, alice, "My theory.")
    body = quote_markdown(first) + f"\n\n@{alice.username} you are right."
    posting.comment(thread, bob, body, parent=first)

    (message,) = messages_to(alice)
    assert "Bob mentioned you" in message.subject


def test_a_hidden_post_emails_nobody(posting, alice, bob, django_capture_on_commit_callbacks):
    thread = posting.thread(alice)
    with django_capture_on_commit_callbacks(execute=False):
        comment = posting_without_tasks(thread, bob)
    services.notify_about_comment(comment.pk)
    comment.is_hidden = True
    comment.save()

    assert notification_mail.email_about_comment(comment.pk) == 0
    assert messages_to(alice) == []
    assert FanOut.objects.get(comment=comment).emailed_at is not None


# --- Once, whatever runs it ------------------------------------------------------------------


def test_running_the_email_task_again_sends_nothing_twice(
    posting, alice, bob, django_capture_on_commit_callbacks
):
    thread = posting.thread(alice)
    comment = posting.comment(thread, bob, "Once.")
    assert len(messages_to(alice)) == 1

    # As if a second worker, or the sweep, ran it again; even with the done mark lost.
    FanOut.objects.filter(comment=comment).update(emailed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_mail.email_about_comment(comment.pk) == 0
        assert notification_mail.email_about_comment(comment.pk) is None

    assert len(messages_to(alice)) == 1
    assert CommentEmail.objects.filter(comment=comment, member=alice).count() == 1


def test_a_run_that_died_half_way_is_finished_by_the_sweep(
    posting, alice, bob, carol, django_capture_on_commit_callbacks
):
    """Two recipients; the worker wrote the first email and died: the sweep's run
    writes the second one only."""
    thread = posting.thread(alice)
    services.follow(member=carol, target=thread)
    set_email_mode(member=carol, kind="new_comment", mode="immediate")
    with django_capture_on_commit_callbacks(execute=False):
        comment = posting_without_tasks(thread, bob)
    services.notify_about_comment(comment.pk)
    # What the dead worker committed: Alice's email and its mark.
    with django_capture_on_commit_callbacks(execute=True):
        notification_mail._queue_once(
            comment, alice, alice.email, Notification.Kind.REPLY, "http://testserver"
        )
    assert len(mail.outbox) == 1

    call_command("requeue_notifications", verbosity=0)
    assert len(mail.outbox) == 1  # too recent: its task may still be on its way
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=6)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("requeue_notifications", verbosity=0)
        call_command("requeue_notifications", verbosity=0)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, carol.email])
    assert Email.objects.count() == 2


# --- Spoiler safety --------------------------------------------------------------------------


@pytest.fixture
def secrets(posting):
    """Ji-ho (who has finished) starts a thread on each episode board with a secret in
    its title and opening post, and replies in it with a secret, mentioning the reader,
    who also follows the board (new threads) and every thread (new comments), and wants
    all of it by email at once; plus a spoiler-free thread whose reply hides a secret in
    an inline spoiler."""

    def plant(reader):
        for kind in ("reply", "quote", "mention", "new_thread", "new_comment"):
            set_email_mode(member=reader, kind=kind, mode="immediate")
        jiho = UserFactory(username="jiho", display_name="Ji-ho", watched_up_to=12)
        from tests.threads.factories import board

        for level in LEVELS:
            services.follow(member=reader, target=board(f"episode-{level}"))
            thread = posting.thread(
                jiho,
                slug=f"episode-{level}",
                title=f"TITLE-SECRET-{level}",
                body=f"Opening BODY-SECRET-{level}",
            )
            services.follow(member=reader, target=thread)
            posting.comment(thread, jiho, f"@{reader.username} REPLY-SECRET-{level}")
            posting.comment(thread, jiho, f"More REPLY-SECRET-{level} for followers")
        calm = posting.thread(jiho, title="Calm thread", spoils_episode=NO_SPOILERS)
        services.follow(member=reader, target=calm)
        posting.comment(calm, jiho, f"@{reader.username} look >!INLINE-SECRET!< here")
        return jiho

    return plant


@pytest.mark.parametrize("progress", [0, 3, 9, 12])
def test_emails_say_nothing_beyond_the_recipients_progress(secrets, progress):
    reader = UserFactory(username="reader", watched_up_to=progress)
    secrets(reader)

    messages = messages_to(reader)

    # Per level: a new thread, a mention and a new comment; and the calm mention.
    assert len(messages) == 3 * len(LEVELS) + 1
    for message in messages:
        seen = _secrets_in(everything(message))
        assert seen <= {level for level in LEVELS if level <= progress}, message.subject
        assert "INLINE-SECRET" not in everything(message)
        assert not _secrets_in(message.subject) - {n for n in LEVELS if n <= progress}
    shown = set().union(*(_secrets_in(everything(m)) for m in messages))
    assert shown == {level for level in LEVELS if level <= progress}
    subjects = [m.subject for m in messages]
    for level in LEVELS:
        if level > progress:
            assert (
                f"[Hyosan Survivors] Ji-ho mentioned you in a thread on the Episode {level} "
                f"board — spoiler for episode {level}"
            ) in subjects
    calm = next(m for m in messages if "Calm thread" in m.subject)
    assert "look [spoiler] here" in calm.body


def next_digest_run():
    """An hourly run at which a UTC member's digest goes (8 o'clock or later), under a
    day from now: a first digest covers the last day, so it includes what the test
    just posted at whatever time of day the test runs."""
    later = timezone.now() + timedelta(hours=1)
    return later if later.hour >= 8 else later.replace(hour=8)


@pytest.mark.parametrize("progress", [0, 3, 9, 12])
def test_the_digest_says_nothing_beyond_the_recipients_progress(
    secrets, progress, django_capture_on_commit_callbacks
):
    reader = UserFactory(username="reader", watched_up_to=progress, time_zone="")
    secrets(reader)
    for kind in ("reply", "quote", "mention", "new_thread", "new_comment"):
        set_email_mode(member=reader, kind=kind, mode="digest")
    mail.outbox.clear()

    with (
        time_machine.travel(next_digest_run(), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_digests", verbosity=0)

    (message,) = messages_to(reader)
    assert DigestRun.objects.filter(member=reader).count() == 1
    assert _secrets_in(everything(message)) == {level for level in LEVELS if level <= progress}
    assert "INLINE-SECRET" not in everything(message)
    assert not _secrets_in(message.subject)
    assert "look [spoiler] here" in message.body
    for level in LEVELS:
        if level > progress:
            assert f"on the Episode {level} board — spoiler for episode {level}" in message.body


def test_a_digest_lists_only_unread_lines_of_the_chosen_kinds(
    posting, alice, bob, django_capture_on_commit_callbacks
):
    set_email_mode(member=alice, kind="reply", mode="digest")
    thread = posting.thread(alice, title="Digest me")
    posting.comment(thread, bob, "One.")
    posting.comment(thread, bob, "Two.")
    other = posting.thread(alice, title="Read already")
    posting.comment(other, bob, "Three.")
    services.mark_read(member=alice, pk=Notification.objects.get(recipient=alice, thread=other).pk)
    assert messages_to(alice) == []  # a digest kind is not emailed at once

    with (
        time_machine.travel(next_digest_run(), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_digests", verbosity=0)

    (message,) = messages_to(alice)
    assert message.subject == "[Hyosan Survivors] 1 new notification"
    assert "2 new replies to you in “Digest me”" in message.body
    assert "Read already" not in message.body


# --- Moderators' notices ---------------------------------------------------------------------


def test_a_moderation_notice_is_emailed_to_those_who_want_it_once(
    posting, alice, bob, django_capture_on_commit_callbacks
):
    set_email_mode(member=bob, kind="moderation", mode="immediate")
    thread = posting.thread(alice, title="Rules")
    comment = posting.comment(thread, bob, "Rude words.")
    mail.outbox.clear()
    moderator = make_moderator()

    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_item(item=comment, moderator=moderator, reason="Be kind.")

    (message,) = messages_to(bob)
    assert "Moderators hid your comment in “Rules”" in message.subject
    assert "Reason: Be kind." in message.body
    notice = Notification.objects.get(recipient=bob, kind="moderation")
    assert notice.email_checked_at is not None
    assert notification_mail.email_about_moderation(notice.pk) is False
    assert len(messages_to(bob)) == 1
