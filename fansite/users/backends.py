"""The authentication backends: Django's and allauth's, reading the member behind
each request with a statement written once per process (fansite.web.statements).

Every request of a signed-in member loads them: through the ORM that cost about
0.9 ms a request, ten times what the database took. Signing in, permissions and
everything else are the parent classes' own.
"""

from functools import lru_cache

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware, get_user
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.functional import SimpleLazyObject

from fansite.web import statements

from .models import User


@lru_cache(maxsize=4)
def _statement(vendor):
    columns = statements.Columns(User, "u")
    quote = connection.ops.quote_name
    sql = f"SELECT {columns.sql} FROM {quote(User._meta.db_table)} u WHERE u.{quote('id')} = %s"
    return sql, columns


def member(pk):
    """The member ``pk`` with all their fields, or None."""
    try:
        pk = User._meta.pk.to_python(pk)
    except ValidationError:  # a session holding something that is no member's key
        return None
    if pk is None or not statements.fits_key(User, pk):
        return None
    sql, columns = _statement(connection.vendor)
    rows = statements.run(sql, [pk])
    return columns.instance(rows[0]) if rows else None


class FastMemberMixin:
    def get_user(self, user_id):
        user = member(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class MemberBackend(FastMemberMixin, ModelBackend):
    """``django.contrib.auth.backends.ModelBackend``, loading members faster."""


class AccountBackend(FastMemberMixin, AuthenticationBackend):
    """allauth's ``AuthenticationBackend``, loading members faster."""


# The backends' earlier names, which sessions signed in before they were
# replaced still carry (Django ignores a session naming a backend it does not
# list): such a session is moved to the new name on its next request.
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "fansite.users.backends.MemberBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "fansite.users.backends.AccountBackend",
}


def _user(request):
    session = request.session
    if session.session_key is not None:
        renamed = RENAMED.get(session.get(BACKEND_SESSION_KEY))
        if renamed is not None:
            session[BACKEND_SESSION_KEY] = renamed
    user = get_user(request)
    # Once known, the member themselves from then on, not the lazy object: a
    # member's cached page asks about them some sixty times, each through the
    # lazy object's proxy costing more than the attribute itself.
    request.user = user
    return user


class MemberAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's, keeping members signed in with the backends' earlier names, and
    putting the member in ``request.user`` once the lazy object has found them."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))
