"""The daily digest: at most one a day per member, in the morning of their own time
zone, only to members who chose it and may receive email."""

import datetime
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from fansite.emails import digests
from fansite.emails.digests import (
    register_digest_source,
    send_digest,
    send_digests,
    unregister_digest_source,
)
from fansite.emails.models import DigestRun, Email
from fansite.emails.preferences import set_email_mode
from fansite.emails.unsubscribe import unsubscribe_url
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(day, hour, minute=0):
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


class Source:
    """A digest source that records what it was asked and has something for everyone."""

    def __init__(self):
        self.calls = []

    def __call__(self, *, member, kinds, since, until):
        self.calls.append((member.pk, kinds, since, until))
        return (
            f"3 new comments for {member.username}",
            f"Hello {member.username}, 3 new comments.",
            f"<p>Hello {member.username}, 3 new comments.</p>",
        )


@pytest.fixture
def source():
    source = Source()
    register_digest_source(source)
    yield source
    unregister_digest_source(source)


def digest_member(time_zone="", **kwargs):
    member = UserFactory(time_zone=time_zone, **kwargs)
    set_email_mode(member=member, kind="new_comment", mode="digest")
    return member


def run(now, django_capture_on_commit_callbacks):
    # The emails are sent at the commit, still at ``now``: they are due from then.
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", verbosity=0)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_with_no_source_nothing_is_sent(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(digests, "_sources", [])  # not even the notifications app's
    digest_member()

    run(at(2, 12), django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert not DigestRun.objects.exists()


def test_a_second_run_the_same_day_sends_nothing(source, django_capture_on_commit_callbacks):
    member = digest_member(username="jiwoo")

    run(at(2, 8), django_capture_on_commit_callbacks)
    run(at(2, 9), django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["jiwoo@example.com"]
    assert message.subject == "[Hyosan Survivors] 3 new comments for jiwoo"
    assert "Hello jiwoo, 3 new comments." in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(member, 'digest')}>"
    assert "<p>Hello jiwoo, 3 new comments.</p>" in message.alternatives[0][0]
    assert DigestRun.objects.get().email == Email.objects.get()
    assert len(source.calls) == 1


def test_two_runs_racing_for_the_same_member_send_once(source):
    # Both runs decided this member was due; the second to write the day's row loses.
    member = digest_member()
    due = {"member": member, "address": member.email, "kinds": ["new_comment"]}
    day = datetime.date(2026, 12, 2)

    first = send_digest(**due, day=day, now=at(2, 8), sources=[source])
    second = send_digest(**due, day=day, now=at(2, 8), sources=[source])

    assert (first, second) == ("sent", "done_already")
    assert Email.objects.count() == 1


def test_each_member_gets_it_in_the_morning_of_their_own_time_zone(
    source, django_capture_on_commit_callbacks
):
    digest_member(username="seoul", time_zone="Asia/Seoul")  # UTC+9
    digest_member(username="london")  # no zone: UTC
    digest_member(username="la", time_zone="America/Los_Angeles")  # UTC-8

    # 03:00 UTC: noon of the 2nd in Seoul, 03:00 in London (too early), 19:00 of the 1st in LA.
    run(at(2, 3), django_capture_on_commit_callbacks)
    assert recipients() == ["la@example.com", "seoul@example.com"]

    # 08:00 UTC: London's morning; Seoul and LA had theirs for their day already.
    run(at(2, 8), django_capture_on_commit_callbacks)
    assert recipients() == ["la@example.com", "london@example.com", "seoul@example.com"]

    # 15:00 UTC: midnight of the 3rd in Seoul, too early; 07:00 of the 2nd in LA: a new day.
    run(at(2, 15), django_capture_on_commit_callbacks)
    assert recipients().count("la@example.com") == 2
    assert recipients().count("seoul@example.com") == 1

    # 22:00 UTC: 07:00 of the 3rd in Seoul.
    run(at(2, 22), django_capture_on_commit_callbacks)
    assert recipients().count("seoul@example.com") == 2
    assert recipients().count("london@example.com") == 1

    seoul_days = DigestRun.objects.filter(member__username="seoul").values_list("day", flat=True)
    assert sorted(seoul_days) == [datetime.date(2026, 12, 2), datetime.date(2026, 12, 3)]


def test_a_source_is_asked_about_the_time_since_the_previous_digest(
    source, django_capture_on_commit_callbacks
):
    member = digest_member()
    set_email_mode(member=member, kind="new_thread", mode="digest")

    run(at(2, 8), django_capture_on_commit_callbacks)
    run(at(3, 9), django_capture_on_commit_callbacks)

    assert source.calls == [
        (member.pk, ("new_comment", "new_thread"), None, at(2, 8)),
        (member.pk, ("new_comment", "new_thread"), at(2, 8), at(3, 9)),
    ]


def test_nothing_is_sent_when_no_source_has_anything(django_capture_on_commit_callbacks):
    def quiet(**kwargs):
        return None

    register_digest_source(quiet)
    try:
        digest_member()
        run(at(2, 8), django_capture_on_commit_callbacks)
    finally:
        unregister_digest_source(quiet)

    assert mail.outbox == []
    assert DigestRun.objects.get().email is None


def test_only_members_who_chose_the_digest_and_may_receive_email_get_it(
    source, django_capture_on_commit_callbacks
):
    digest_member(username="chose")
    UserFactory(username="defaults")  # replies and mentions at once, no digest
    digest_member(username="unverified", verified=False)
    digest_member(username="banned", banned_until=at(31, 0))
    digest_member(username="inactive", is_active=False)

    run(at(2, 8), django_capture_on_commit_callbacks)

    assert recipients() == ["chose@example.com"]
    assert DigestRun.objects.count() == 1


def test_several_sources_make_one_email(source, django_capture_on_commit_callbacks):
    def another(*, member, kinds, since, until):
        return ("Followed boards", "A new thread on the Episode 1 board.", "<p>A new thread.</p>")

    register_digest_source(another)
    try:
        digest_member()
        run(at(2, 8), django_capture_on_commit_callbacks)
    finally:
        unregister_digest_source(another)

    [message] = mail.outbox
    assert message.subject == "[Hyosan Survivors] Your daily digest"
    assert "3 new comments." in message.body
    assert "A new thread on the Episode 1 board." in message.body


def test_a_failing_source_leaves_the_member_for_the_next_run(
    source, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("the notifications table is gone")

    digest_member()
    register_digest_source(broken)
    try:
        with pytest.raises(SystemExit):
            run(at(2, 8), django_capture_on_commit_callbacks)
    finally:
        unregister_digest_source(broken)
    assert not DigestRun.objects.exists()

    run(at(2, 9), django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1


def test_the_report_counts_what_happened(source):
    digest_member(time_zone="Asia/Seoul")
    digest_member()

    report = send_digests(now=at(2, 3))

    assert (report.sent, report.not_yet, report.done_already) == (1, 1, 0)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_once(source):
    """Two servers' timers firing together, for real: two connections, the first run's
    transaction still open (its source is slow) when the second writes the same day."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot hold two writers at once")
    digest_member(username="jiwoo")
    barrier = threading.Barrier(2)
    reports = []

    def slow(**kwargs):
        time.sleep(0.5)  # the other run reaches the day's row meanwhile
        return ("Slow", "Slow.", "<p>Slow.</p>")

    def one_run():
        try:
            barrier.wait()
            reports.append(send_digests(now=at(2, 8)))
        finally:
            connection.close()

    register_digest_source(slow)
    try:
        threads = [threading.Thread(target=one_run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        unregister_digest_source(slow)

    assert sorted((r.sent, r.done_already) for r in reports) == [(0, 1), (1, 0)]
    assert Email.objects.count() == 1
    assert DigestRun.objects.count() == 1
