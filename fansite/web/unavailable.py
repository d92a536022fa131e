"""A 503 page, not a 500, when the database cannot be reached.

While PostgreSQL restarts (or the network to it is down), every request that
needs it fails with ``OperationalError`` (no connection) or ``InterfaceError``
(a connection that died under it). That is not a bug in the page: the member
should hear "back in a moment, try again", with ``Retry-After``, and the log
should get one line, not a traceback per request. How long such a request may
wait is bounded by the connect timeout in settings (``DATABASE_CONNECT_TIMEOUT``),
well under gunicorn's worker timeout.

Errors raised by a view (or while rendering its template) arrive in
``process_exception``. Those raised by other middleware (saving a session, say)
reach Django's 500 handler instead; ``got_request_exception`` marks the
request, and the 500 is turned into the same 503 on its way out. Middleware
that needs the database before the view answers with ``unavailable_response``
itself, without a traceback in the log.

A write that failed this way was rolled back with its transaction, unless the
connection died during the COMMIT itself, when nobody can know; the member's
retry then meets the duplicate-post check rather than posting twice.
"""

import logging
import sys
from http import HTTPStatus

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError

from .errorpages import error_page

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client is asked to wait: about what a PostgreSQL restart takes.
RETRY_AFTER = 10
_MARK = "_fansite_database_error"


def service_unavailable():
    """The 503 page (templates/503.html), rendered without the request: nothing
    that needs the database or the session may run."""
    response = error_page(HTTPStatus.SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def unavailable_response(request, error):
    """The 503 answer to ``request``, which failed with the database error ``error``
    (logged in one line)."""
    logger.warning(
        "Database unavailable (%s: %s); answered 503 to %s %s",
        error.__class__.__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
        request.method,
        request.path,
    )
    response = service_unavailable()
    # Logged above in one line; Django would add an error line per request.
    response._has_been_logged = True
    return response


def _mark_request(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _MARK, error)


class DatabaseUnavailableMiddleware:
    """Answer 503 (templates/503.html, ``Retry-After``) when the database cannot be
    reached. Place it near the top of MIDDLEWARE, outside the session middleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_mark_request, dispatch_uid="fansite-database-unavailable")

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR:
            return unavailable_response(request, error)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return unavailable_response(request, exception)
        return None
