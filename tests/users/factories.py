"""Members for tests. Other apps' tests import ``UserFactory`` from here.

``UserFactory()`` is an active member whose email address is verified (an
allauth ``EmailAddress`` row), so they can log in even where verification is
mandatory. ``UserFactory(verified=False)`` leaves the address unverified, as
just after sign-up. Every member's password is ``PASSWORD``.
"""

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory, Password

from fansite.users.models import User

PASSWORD = "correct horse battery staple"


class EmailAddressFactory(DjangoModelFactory):
    class Meta:
        model = EmailAddress

    user = factory.SubFactory("tests.users.factories.UserFactory", verified=False)
    email = factory.LazyAttribute(lambda address: address.user.email)
    verified = True
    primary = True


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        verified = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username.lower()}@example.com")
    password = Password(PASSWORD)

    email_address = factory.Maybe(
        "verified",
        yes_declaration=factory.RelatedFactory(
            EmailAddressFactory, factory_related_name="user", verified=True
        ),
        no_declaration=factory.RelatedFactory(
            EmailAddressFactory, factory_related_name="user", verified=False
        ),
    )


def verify_email(user):
    """Mark ``user``'s address verified (creating allauth's row if needed)."""
    address, _created = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return address
