"""Django's PostgreSQL backend, checking a kept connection without asking the server.

With ``CONN_HEALTH_CHECKS`` Django checks a connection kept from an earlier
request before its first use in the next one, by sending ``SELECT 1`` and waiting
for the answer: one round trip to PostgreSQL on every request that reads
anything, as many as the member's own row on a cached page.

A connection PostgreSQL has ended (a restart, ``pg_terminate_backend``, an idle
timeout) or whose socket was cut says so without being asked: the server's last
words (a FATAL error) or the end of the stream wait on the socket. An idle
connection that is fine has nothing there. So the socket is looked at first,
without waiting: nothing there, and the connection is used as it is; something
there, and Django's own check decides (it reads what came and fails on a closed
connection, which is then replaced). So does a connection inside a transaction,
as a test's is, or one that failed. A network path lost without a word is
found by neither check before the first statement, as before.
"""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper
from psycopg.pq import TransactionStatus

IDLE = TransactionStatus.IDLE


class DatabaseWrapper(PostgresDatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != IDLE or _waiting(connection):
            # In a transaction (a test's, or one that failed), or with something
            # to read: Django's check, as without this backend.
            return super().is_usable()
        return True


def _waiting(connection) -> bool:
    """Whether anything waits to be read on ``connection``'s socket (or it cannot
    be looked at), without waiting."""
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True
