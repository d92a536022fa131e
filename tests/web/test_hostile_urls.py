"""Hostile input: every URL pattern of the site (ours, allauth's, the admin's), with
hostile values in its path parameters and its query string, answers without a 500
on SQLite and on PostgreSQL (which refuses NUL in text); NUL and bytes that are not
UTF-8 in an address are a 400."""

from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.regex_helper import normalize

from fansite.threads.models import Thread
from tests.threads.factories import ThreadFactory
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = {
    "nul": "%00",
    "nul-inside": "ab%00cd",
    "very-long": "a" * 10_000,
    "not-utf8": "%ff%fe",
    "overlong-utf8": "%c0%af",
    "dot-dot": "..",
    "encoded-traversal": "%2e%2e%2f",
    "huge-number": "9" * 30,
}

# Query parameters some page reads (pagination, reveals, reply and quote, the
# progress form's next, the admin's search, ordering, page and filters), plus
# field names the admin's list filters accept.
QUERY_NAMES = (
    "page",
    "reveal",
    "reply_to",
    "quote",
    "next",
    "q",
    "o",
    "p",
    "e",
    "_changelist_filters",
    "_to_field",
    "id__exact",
    "username",
)


def routes(patterns=None, prefix=""):
    """Every URL pattern as (address with %(name)s holes, parameter names),
    following includes: ("members/%(username)s/", ["username"]), …"""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        regex = prefix + entry.pattern.regex.pattern.removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, regex)
        else:
            yield from normalize(regex)


ROUTES = list(routes())


@pytest.fixture
def ordinary(db):
    """Real values for the parameters next to the hostile one, so the hostile
    value gets as far into the view as it can."""
    thread = ThreadFactory()
    return {
        "kind": "thread",
        "pk": str(thread.pk),
        "content_type_id": str(ContentType.objects.get_for_model(Thread).pk),
        "object_id": str(thread.pk),
    }


@pytest.fixture(params=["visitor", "member", "staff"])
def someone(request, db):
    client = Client(raise_request_exception=False)
    if request.param == "member":
        client.force_login(UserFactory())
    elif request.param == "staff":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def hostile_requests(value, ordinary):
    """(method, address): each route once per path parameter holding ``value``
    (the others ordinary), by GET and by POST, as views that only take forms
    refuse a GET before they look anything up; and each route by GET with
    ``value`` in every query parameter."""
    query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
    for address, names in ROUTES:
        for name in names:
            filled = {other: ordinary.get(other, "1") for other in names} | {name: value}
            yield "get", "/" + address % filled
            yield "post", "/" + address % filled
        plain = {name: ordinary.get(name, "1") for name in names}
        yield "get", f"/{address % plain}?{query}"


def failure(client, method, address):
    """What went wrong, when the answer is a 5xx."""
    response = getattr(client, method)(address)
    if response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR:
        return None
    error = response.exc_info[1] if response.exc_info else None
    return f"{method.upper()} {address[:150]} -> {response.status_code} {error!r:.200}"


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_no_address_answers_500_to_hostile_values(someone, ordinary, value):
    failures = [
        problem
        for method, address in hostile_requests(value, ordinary)
        if (problem := failure(someone, method, address))
    ]

    assert failures == []


def test_the_walk_covers_ours_allauths_and_the_admins_patterns():
    addresses = {address for address, _names in ROUTES}

    assert "members/%(username)s/" in addresses
    assert "accounts/confirm-email/%(key)s/" in addresses
    assert "admin/threads/thread/%(object_id)s/change/" in addresses
    assert len(ROUTES) > 100


@pytest.mark.parametrize(
    "address",
    [
        "/members/ab%00cd/",
        "/members/%00/",
        "/members/%ff%fe/",
        "/boards/?page=%00",
        "/boards/?page=%ff%fe",
        "/?reveal=c1%00",
    ],
)
def test_nul_and_broken_utf8_in_an_address_are_a_bad_request(client, address):
    client.raise_request_exception = False

    response = client.get(address)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "make sense" in response.text


def test_an_address_in_utf8_with_percent_escapes_still_works(client):
    member = UserFactory(username="지수")

    response = client.get(reverse("users:profile_detail", args=[member.username]) + "?page=%31")

    assert response.status_code == HTTPStatus.OK


def test_a_cookie_holding_nul_is_ignored(client):
    # "\000" is how a cookie value carries NUL; it would reach the session table.
    client.raise_request_exception = False

    response = client.get("/boards/", HTTP_COOKIE='sessionid="abcdefgh\\000ijkl"')

    assert response.status_code == HTTPStatus.OK
