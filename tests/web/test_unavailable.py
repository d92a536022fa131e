"""A database that cannot be reached answers 503, not 500 (fansite.web.unavailable).

The end-to-end version, with PostgreSQL cut off under load behind gunicorn, is
tests/server/test_database_restart.py.
"""

from http import HTTPStatus

import pytest
from django.core.handlers.exception import convert_exception_to_response
from django.db import OperationalError, connection
from django.test import Client

from fansite.web.unavailable import DatabaseUnavailableMiddleware
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse():
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    monkeypatch.setattr(connection, "ensure_connection", refuse)


def test_a_page_that_needs_the_database_answers_503(database_down, caplog):
    response = Client(raise_request_exception=False).get("/boards/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"].isdigit()
    assert "no-store" in response["Cache-Control"]
    assert "Traceback" not in response.content.decode()
    (record,) = [r for r in caplog.records if r.name == "fansite.web.unavailable"]
    assert "Database unavailable (OperationalError" in record.getMessage()
    assert "GET /boards/" in record.getMessage()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # no 500 logged


def test_a_database_error_outside_the_view_answers_503_too(rf):
    """Raised by another middleware (saving a session, say): Django's 500 handler
    answers first, and the 500 becomes the 503 on its way out."""

    def session_save_fails(request):
        raise OperationalError("server closed the connection unexpectedly")

    middleware = DatabaseUnavailableMiddleware(convert_exception_to_response(session_save_fails))

    response = middleware(rf.post("/comments/new/thread/1/"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"].isdigit()


def test_other_errors_stay_500(rf):
    def broken(request):
        raise ValueError("a bug, not an outage")

    middleware = DatabaseUnavailableMiddleware(convert_exception_to_response(broken))

    assert middleware(rf.get("/")).status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert middleware.process_exception(rf.get("/"), ValueError()) is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_members_request_during_an_outage_is_a_503_not_a_crash(
    client, monkeypatch, caplog, method
):
    """Middleware that asks who the member is (their time zone, their notices) meets
    the outage first: it answers the 503 itself, with no 500 logged on the way."""
    client.force_login(UserFactory(time_zone="Asia/Seoul"))

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    client.raise_request_exception = False

    response = getattr(client, method)("/boards/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
