"""Per-kind email preferences and who may receive notification email at all."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from fansite.emails.models import EmailMode, EmailPreference, NotificationKind
from fansite.emails.preferences import (
    all_email_modes,
    email_mode,
    email_modes,
    may_receive_email,
    receiving_address,
    receiving_addresses,
    set_email_mode,
)
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_replies_and_mentions_come_at_once_and_the_rest_is_off_by_default():
    member = UserFactory()

    assert all_email_modes(member) == {
        NotificationKind.REPLY: EmailMode.IMMEDIATE,
        NotificationKind.QUOTE: EmailMode.OFF,
        NotificationKind.MENTION: EmailMode.IMMEDIATE,
        NotificationKind.NEW_THREAD: EmailMode.OFF,
        NotificationKind.NEW_COMMENT: EmailMode.OFF,
        NotificationKind.MODERATION: EmailMode.OFF,
    }
    assert not EmailPreference.objects.exists()


def test_a_choice_is_stored_and_changed_in_one_row():
    member = UserFactory()

    set_email_mode(member=member, kind="reply", mode="digest")
    set_email_mode(member=member, kind=NotificationKind.REPLY, mode=EmailMode.OFF)
    set_email_mode(member=member, kind="new_thread", mode="immediate")

    assert email_mode(member, "reply") == EmailMode.OFF
    assert email_mode(member, NotificationKind.NEW_THREAD) == EmailMode.IMMEDIATE
    assert email_mode(member, "mention") == EmailMode.IMMEDIATE  # untouched default
    assert EmailPreference.objects.filter(member=member).count() == 2


def test_unknown_kinds_and_modes_are_refused_with_the_ones_there_are():
    member = UserFactory()

    with pytest.raises(ValueError, match="new_comment"):
        email_mode(member, "likes")
    with pytest.raises(ValueError, match="EmailMode"):
        set_email_mode(member=member, kind="reply", mode="weekly")


def test_the_modes_of_many_members_take_one_query(django_assert_num_queries):
    members = UserFactory.create_batch(5)
    set_email_mode(member=members[0], kind="reply", mode="off")
    set_email_mode(member=members[1], kind="reply", mode="digest")
    set_email_mode(member=members[2], kind="quote", mode="immediate")  # another kind

    with django_assert_num_queries(1):
        modes = email_modes(members, "reply")

    assert modes == {
        members[0].pk: EmailMode.OFF,
        members[1].pk: EmailMode.DIGEST,
        members[2].pk: EmailMode.IMMEDIATE,
        members[3].pk: EmailMode.IMMEDIATE,
        members[4].pk: EmailMode.IMMEDIATE,
    }
    assert email_modes([m.pk for m in members], "quote")[members[2].pk] == EmailMode.IMMEDIATE


def test_a_verified_active_member_may_receive_email_at_their_primary_address():
    member = UserFactory(email="jiwoo@example.com")

    assert may_receive_email(member)
    assert receiving_address(member) == "jiwoo@example.com"


def test_nothing_goes_to_an_unverified_address():
    member = UserFactory(verified=False)

    assert not may_receive_email(member)


def test_nothing_goes_to_a_verified_address_that_is_not_the_primary_one():
    member = UserFactory(verified=False)
    EmailAddress.objects.create(user=member, email="other@example.com", verified=True)

    assert not may_receive_email(member)


def test_nothing_goes_to_a_deactivated_member():
    member = UserFactory(is_active=False)

    assert not may_receive_email(member)


def test_nothing_goes_to_a_banned_member_until_the_ban_ends():
    member = UserFactory(banned_until=timezone.now() + datetime.timedelta(days=3))
    ended = UserFactory(banned_until=timezone.now() - datetime.timedelta(days=3))

    assert not may_receive_email(member)
    assert may_receive_email(ended)


def test_nothing_goes_to_a_deleted_member():
    member = UserFactory()
    member.delete()

    assert not may_receive_email(member)


def test_many_members_addresses_take_one_query(django_assert_num_queries):
    fine = UserFactory(email="fine@example.com")
    unverified = UserFactory(verified=False)
    banned = UserFactory(banned_until=timezone.now() + datetime.timedelta(days=1))
    inactive = UserFactory(is_active=False)

    with django_assert_num_queries(1):
        addresses = receiving_addresses([fine, unverified, banned, inactive])

    assert addresses == {fine.pk: "fine@example.com"}
