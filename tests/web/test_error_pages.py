"""The error pages look like the site and need nothing to render: not the request's
host, not the database, not the cache, since any of them may be what failed.

The outages are real: the database is reached at a closed port (PostgreSQL) or in
a folder that does not exist (SQLite), Redis at a closed port.

This module is also the URL configuration of the tests marked ``urls(__name__)``:
the site's addresses and error handlers, plus one address raising each error.
"""

import socket
from contextlib import ExitStack, contextmanager
from http import HTTPStatus

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import connections
from django.http import Http404
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.utils import translation

from fansite import urls as site_urls
from fansite.web.errorpages import error_page
from tests.users.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def bad_request(request):
    raise BadRequest("The request could not be read.")


def forbidden(request):
    raise PermissionDenied


def missing(request):
    raise Http404


def broken(request):
    raise RuntimeError("A view failed.")


urlpatterns = [
    path("fail/400/", bad_request),
    path("fail/403/", forbidden),
    path("fail/404/", missing),
    path("fail/500/", broken),
    path("", include(site_urls)),
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

# Each error: its address above, its handler and words from its page.
ERRORS = {
    HTTPStatus.BAD_REQUEST: ("/fail/400/", site_urls.handler400, "make sense"),
    HTTPStatus.FORBIDDEN: ("/fail/403/", site_urls.handler403, "do that here"),
    HTTPStatus.NOT_FOUND: ("/fail/404/", site_urls.handler404, "Page not found"),
    HTTPStatus.INTERNAL_SERVER_ERROR: ("/fail/500/", site_urls.handler500, "Something went wrong"),
}
STATUSES = pytest.mark.parametrize("status", list(ERRORS), ids=[str(int(s)) for s in ERRORS])


@contextmanager
def closed_port():
    """A local port that is bound but never listens: connecting is refused at once."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


@contextmanager
def database_down(tmp_path):
    """Every query from here on goes to a database that cannot be reached."""
    real = connections["default"]
    unreachable = {**real.settings_dict}
    with closed_port() as port:
        if real.vendor == "sqlite":
            unreachable["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
        else:
            unreachable.update(HOST="127.0.0.1", PORT=port)
        down = real.__class__(unreachable, alias="default")
        connections["default"] = down
        try:
            yield
        finally:
            connections["default"] = real
            down.close()


@contextmanager
def cache_down():
    """The cache is Redis at a port where nothing answers."""
    with closed_port() as port:
        redis = {"BACKEND": "fansite.web.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}"}
        with override_settings(CACHES={"default": redis}):
            yield


@pytest.fixture(params=["database", "cache", "both"])
def outage(request, tmp_path):
    """Takes the database, the cache or both down for a ``with`` block."""

    @contextmanager
    def down():
        with ExitStack() as stack:
            if request.param in ("database", "both"):
                stack.enter_context(database_down(tmp_path))
            if request.param in ("cache", "both"):
                stack.enter_context(cache_down())
            yield

    down.kind = request.param
    return down


@pytest.fixture
def member_client():
    """A logged-in member: their session cookie reaches every request, so a page
    that asked who they are would need the cache and the database."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    return client


def assert_site_error_page(response, status, words):
    assert response.status_code == status
    page = response.content.decode()
    assert words in page
    assert 'class="site-header"' in page  # the site's own layout and style sheet
    assert "css/site.css" in page


def test_unknown_address_gets_the_sites_404_page(client):
    response = client.get("/no-such-page/")

    assert_site_error_page(response, HTTPStatus.NOT_FOUND, "Page not found")
    assert 'href="/boards/"' in response.text  # a way on from a dead end


@pytest.mark.parametrize("address", ["/", "/no-such-page/", "/members/someone/", "/admin/"])
def test_a_host_outside_allowed_hosts_gets_the_400_page(address):
    visitor = Client(raise_request_exception=False, HTTP_HOST="evil.invalid")

    response = visitor.get(address)

    assert_site_error_page(response, HTTPStatus.BAD_REQUEST, "make sense")


@STATUSES
def test_handlers_need_neither_the_host_nor_the_database_nor_the_cache(status, tmp_path):
    _address, handler, words = ERRORS[status]
    request = RequestFactory(HTTP_HOST="evil.invalid").get("/somewhere/")

    with database_down(tmp_path), cache_down():
        if status == HTTPStatus.INTERNAL_SERVER_ERROR:
            response = handler(request)
        else:
            response = handler(request, exception=Exception("what went wrong"))

    assert_site_error_page(response, status, words)


def expected_during(outage, status, words):
    """What a logged-in member gets: every page asks who they are (for their
    level-change notices, fansite.moderation.middleware), which needs the
    database, so while it is down they get the 503 page, at once."""
    if outage.kind in ("database", "both"):
        return HTTPStatus.SERVICE_UNAVAILABLE, "back in a moment"
    return status, words


@STATUSES
def test_error_pages_answer_during_an_outage(status, outage, member_client):
    address, _handler, words = ERRORS[status]

    with outage():
        member = member_client.get(address)
        visitor = Client(raise_request_exception=False).get(address)

    assert_site_error_page(member, *expected_during(outage, status, words))
    assert_site_error_page(visitor, status, words)


def test_a_page_that_needs_the_database_gets_an_error_page_when_it_is_down(member_client, tmp_path):
    with database_down(tmp_path):
        response = member_client.get("/boards/")

    # 503 where fansite.web.unavailable answers for the database, else 500.
    assert response.status_code in {
        HTTPStatus.INTERNAL_SERVER_ERROR,
        HTTPStatus.SERVICE_UNAVAILABLE,
    }
    assert_site_error_page(response, response.status_code, "</h1>")


def test_an_unknown_address_gets_the_404_page_during_an_outage(outage, member_client):
    with outage():
        member = member_client.get("/no-such-page/")
        visitor = Client(raise_request_exception=False).get("/no-such-page/")

    not_found = (HTTPStatus.NOT_FOUND, "Page not found")
    assert_site_error_page(member, *expected_during(outage, *not_found))
    assert_site_error_page(visitor, *not_found)


def test_a_bad_host_gets_the_400_page_during_an_outage(outage):
    visitor = Client(raise_request_exception=False, HTTP_HOST="evil.invalid")

    with outage():
        response = visitor.get("/boards/")

    assert_site_error_page(response, HTTPStatus.BAD_REQUEST, "make sense")


def test_the_unavailable_page_needs_nothing_either(tmp_path):
    with database_down(tmp_path), cache_down():
        response = error_page(HTTPStatus.SERVICE_UNAVAILABLE)

    assert_site_error_page(response, HTTPStatus.SERVICE_UNAVAILABLE, "back in a moment")


@pytest.mark.parametrize("status", [400, 403, 404, 500, 503])
def test_error_pages_follow_the_active_language(status):
    with translation.override("fr"):
        response = error_page(status)

    assert '<html lang="fr">' in response.content.decode()
