"""The PostgreSQL backend's health check (fansite/web/postgresql/base.py): a kept
connection is checked by looking at its socket, not with a statement, and one
the server has ended is still found and replaced. Run against the real server
whichever database the suite uses."""

import time

import psycopg
import pytest
from django.db.utils import ConnectionHandler

SERVER = {
    "ENGINE": "fansite.web.postgresql",
    "NAME": "postgres",
    "USER": "postgres",
    "HOST": "127.0.0.1",
    "PORT": "5432",
    "CONN_MAX_AGE": 60,
    "CONN_HEALTH_CHECKS": True,
    "OPTIONS": {"connect_timeout": 3},
}


@pytest.fixture
def databases(django_db_blocker):
    """Two connections of the site's backend: the one under test and a witness."""
    try:
        psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3
        ).close()
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not reachable")
    handler = ConnectionHandler({"default": dict(SERVER), "witness": dict(SERVER)})
    with django_db_blocker.unblock():
        yield handler["default"], handler["witness"]
        handler.close_all()


def _run(db, sql, params=()):
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _last_statement(witness, pid):
    rows = _run(witness, "SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
    return rows[0][0] if rows else None


def _next_request(db):
    """What Django does when a request starts and first uses a kept connection."""
    db.health_check_done = False
    db.close_if_health_check_failed()


def test_a_kept_connection_is_checked_without_a_statement(databases):
    db, witness = databases
    _run(db, "SELECT 'the last thing this connection ran'")
    pid = db.connection.info.backend_pid

    _next_request(db)

    assert db.connection is not None
    assert db.connection.info.backend_pid == pid
    assert _last_statement(witness, pid) == "SELECT 'the last thing this connection ran'"
    assert _run(db, "SELECT 2") == [(2,)]


def test_a_connection_the_server_ended_is_found_and_replaced(databases):
    db, witness = databases
    _run(db, "SELECT 1")
    pid = db.connection.info.backend_pid

    assert _run(witness, "SELECT pg_terminate_backend(%s)", [pid]) == [(True,)]
    deadline = time.monotonic() + 10
    while _last_statement(witness, pid) is not None and time.monotonic() < deadline:
        time.sleep(0.02)

    assert not db.is_usable()
    _next_request(db)
    assert db.connection is None  # closed by the check, not left to fail a statement
    assert _run(db, "SELECT 3") == [(3,)]
    assert db.connection.info.backend_pid != pid


def test_a_healthy_connection_with_something_waiting_is_asked(databases):
    """Something unasked on the socket (here a notification) sends the check to
    Django's own statement, which reads it and finds the connection fine."""
    db, witness = databases
    _run(db, "LISTEN fansite_backend_test")
    _run(witness, "NOTIFY fansite_backend_test")
    pid = db.connection.info.backend_pid
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _next_request(db)
        if _last_statement(witness, pid) == "SELECT 1":
            break
        time.sleep(0.02)

    assert _last_statement(witness, pid) == "SELECT 1"
    assert db.connection.info.backend_pid == pid


def test_a_connection_whose_transaction_failed_is_replaced(databases):
    """As with Django's own check: a connection left in a failed transaction is
    not handed on."""
    db, _witness = databases
    db.ensure_connection()
    db.connection.autocommit = False
    with pytest.raises(psycopg.errors.DivisionByZero), db.connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")

    assert not db.is_usable()
    db.connection.rollback()
    assert db.is_usable()
