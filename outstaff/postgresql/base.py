"""PostgreSQL with a health check that costs no round trip while the connection is healthy.

`CONN_HEALTH_CHECKS` makes Django call `is_usable()` before a persistent connection's first query
in each request; the stock check is a `SELECT 1`, one extra round trip per request. A connection
that PostgreSQL closed (a restart, `pg_terminate_backend`, an idle timeout) has data waiting on its
socket, the server's termination notice or the end of the stream, while a healthy idle connection
has none. So: nothing to read means usable; anything to read gets the stock `SELECT 1`, which fails
on a dead connection, and Django reconnects before the request's first query (a restart of
PostgreSQL still costs no failed request)."""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if not readable:
            return True
        return super().is_usable()
