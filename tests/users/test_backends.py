"""The authentication backends read the member behind each request with their own
statement (fansite/users/backends.py): the member must be the one the ORM would
give, and a session must keep or lose its member exactly as with Django's."""

from http import HTTPStatus

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from fansite.users.backends import RENAMED, MemberAuthenticationMiddleware, member
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def fields(user):
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def test_a_member_is_read_with_every_field_as_the_orm_reads_it():
    user = UserFactory(display_name="Ünïcode Name", watched_up_to=7, time_zone="Asia/Seoul")
    user.last_login = timezone.now()
    user.save()
    expected = get_user_model().objects.get(pk=user.pk)

    found = member(user.pk)

    assert fields(found) == fields(expected)
    assert found._state.adding is False
    assert found._state.db == "default"


@pytest.mark.parametrize("pk", [10**9, 10**30, "not-a-key", None])
def test_no_member_for_a_key_that_is_none(pk):
    UserFactory()
    assert member(pk) is None


def signed_in(client):
    """Whether the header shows the reader as signed in."""
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    return 'class="user-nav__me"' in response.text


def test_a_deactivated_member_is_signed_out_on_their_next_request():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert signed_in(client)

    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    assert not signed_in(client)


def test_a_changed_password_signs_out_other_sessions():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert signed_in(client)

    user.set_password("an entirely new password 42")
    user.save()

    assert not signed_in(client)


@pytest.mark.parametrize("earlier", sorted(RENAMED))
def test_sessions_signed_in_under_the_backends_earlier_names_stay_signed_in(earlier):
    user = UserFactory()
    client = Client()
    client.force_login(user, backend=earlier)

    assert signed_in(client)
    assert client.session[BACKEND_SESSION_KEY] == RENAMED[earlier]
    assert signed_in(client)


def test_once_found_the_request_holds_the_member_not_the_lazy_object(rf):
    """The lazy object's proxy costs more than the attributes asked of it, some
    sixty times a member's page: once it has found the member, it steps aside."""
    user = UserFactory()
    client = Client()
    client.force_login(user)
    request = rf.get("/")
    request.session = client.session
    MemberAuthenticationMiddleware(lambda request: None).process_request(request)
    assert isinstance(request.user, SimpleLazyObject)

    assert request.user.is_authenticated

    assert type(request.user) is get_user_model()
    assert request.user.pk == user.pk


def test_the_session_hash_is_djangos_for_each_password_and_secret(settings):
    """Kept per password and secret (fansite.users.models): the same hash Django
    works out, a new one for a new password, and the old secret's hash while it
    is among SECRET_KEY_FALLBACKS (sessions survive a key rotation)."""
    user = UserFactory.build(password="pbkdf2_sha256$1$salt$hash")
    django_hash = AbstractBaseUser._get_session_auth_hash
    assert user.get_session_auth_hash() == django_hash(user)

    user.password = "pbkdf2_sha256$1$salt$other"
    assert user.get_session_auth_hash() == django_hash(user)

    old = user.get_session_auth_hash()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key, long enough to be a real one: 0123456789abcdef"
    assert user.get_session_auth_hash() != old
    assert user.get_session_auth_hash() == django_hash(user)
    assert list(user.get_session_auth_fallback_hash()) == [old]


def test_a_session_survives_a_secret_key_rotation(settings):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert signed_in(client)

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key, long enough to be a real one: 0123456789abcdef"

    assert signed_in(client)
