"""The factories other apps' tests rely on."""

import pytest
from allauth.account.models import EmailAddress

from .factories import PASSWORD, UserFactory, verify_email

pytestmark = pytest.mark.django_db


def test_user_factory_makes_a_verified_member_who_can_log_in():
    member = UserFactory()

    assert member.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=member).verified
    assert EmailAddress.objects.get(user=member).email == member.email


def test_unverified_member_can_be_verified_later():
    member = UserFactory(verified=False)
    assert not EmailAddress.objects.get(user=member).verified

    verify_email(member)

    assert EmailAddress.objects.get(user=member).verified
