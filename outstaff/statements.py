"""SQL run as a server-side prepared statement, planned once per database session.

PostgreSQL parses and plans every statement it is sent; for a query run on every request (an API
key's lookup, a list page's SQL) planning can cost more than running it: 1.3–2 ms of the risk
flags' five-table join, against 0.8 ms to read its 50 rows. `PreparedStatement(sql)` takes SQL
with Django's `%s` placeholders; `run(cursor, params)` sends `PREPARE name AS ...; EXECUTE name (...)`
in one round trip the first time on a session and `EXECUTE name (...)` afterwards. The parameters
still go through psycopg's quoting (`EXECUTE`'s arguments), so nothing changes in how values reach
the server.

- A session's prepared names are tracked per connection object: a reconnect starts with none.
- The first PREPARE of a statement in this process is guarded: when PostgreSQL cannot prepare it
  (a parameter whose type it cannot infer), the statement runs unprepared from then on, and an
  open transaction is kept usable by a savepoint around that first attempt.
- `API_PREPARED_STATEMENTS = False` runs everything unprepared (behind a pooler that hands a
  session's transactions to different server sessions, PgBouncer in transaction mode).
- A prepared statement survives a rollback; PostgreSQL replans it itself after a schema change,
  except when a column it returns changes type ("cached plan must not change result type", during
  a deploy's migration): it is then deallocated and prepared again, at once outside a transaction,
  on its next use inside one (whose statement has failed)."""

from __future__ import annotations

import hashlib
import logging
import re
from contextlib import contextmanager, nullcontext

import psycopg2.errors
from django.conf import settings
from django.db import DatabaseError, transaction

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"%(%|s)")


def numbered(sql: str) -> tuple[str, int]:
    """Django's %s placeholders as $1, $2, ... and how many there are (a literal %% stays: psycopg
    unescapes it when the statement is sent with parameters)."""
    count = 0

    def number(match):
        nonlocal count
        if match.group(1) == "%":
            return "%%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql), count


# What an EXECUTE of a statement that worked raises after a migration changed what it reads.
_SCHEMA_CHANGED = (
    psycopg2.errors.FeatureNotSupported,
    psycopg2.errors.UndefinedFunction,
    psycopg2.errors.DatatypeMismatch,
    psycopg2.errors.UndefinedColumn,
    psycopg2.errors.UndefinedTable,
)


class _Session:
    """What this process knows of one database session's prepared statements."""

    def __init__(self, raw):
        self.raw = raw
        self.prepared: set[str] = set()
        # Names whose PREPARE was sent with a statement that then failed: it may have run (a
        # prepared statement outlives the transaction's rollback). Asked of the server next time.
        self.uncertain: set[str] = set()
        # Names whose result type changed under them (a migration altered a column they read):
        # deallocated, then prepared again.
        self.stale: set[str] = set()


def _session(connection) -> _Session:
    raw = connection.connection
    session = getattr(connection, "_outstaff_prepared", None)
    if session is None or session.raw is not raw:
        session = _Session(raw)
        connection._outstaff_prepared = session
    return session


@contextmanager
def _read_without_history_context(connection):
    """pghistory prefixes every statement it does not know for a read (it knows those that start
    with SELECT) with two `set_config` calls carrying the request's audit context, for the triggers
    of the rows it writes. An EXECUTE of a prepared SELECT writes nothing: it is sent as pghistory
    sends a SELECT, without them."""
    from pghistory import runtime

    wrappers = connection.execute_wrappers
    inject = getattr(runtime, "_inject_history_context", None)
    if inject is None or inject not in wrappers:
        yield
        return
    saved = list(wrappers)
    wrappers[:] = [wrapper for wrapper in wrappers if wrapper is not inject]
    try:
        yield
    finally:
        wrappers[:] = saved


class PreparedStatement:
    """A SELECT (`sql`, with %s placeholders) prepared once per database session."""

    def __init__(self, sql: str, *, prefix: str = "stmt"):
        if not sql.lstrip()[:6].lower() == "select":
            raise ValueError("Only a SELECT is prepared here: it runs without pghistory's audit context.")
        self.sql = sql
        digest = hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
        self.name = f"{prefix}_{digest}"
        body, count = numbered(sql)
        arguments = f" ({', '.join(['%s'] * count)})" if count else ""
        self.execute_sql = f"EXECUTE {self.name}{arguments}"
        self.prepare_sql = f"PREPARE {self.name} AS {body}; "
        self.preparable = True
        self.validated = False  # prepared once without error in this process

    def run(self, cursor, params) -> None:
        """Execute with `params` on `cursor` (a Django cursor: execute wrappers and query logging
        see one statement); fetch the rows from the cursor as usual."""
        connection = cursor.db
        if not (self.preparable and getattr(settings, "API_PREPARED_STATEMENTS", True)):
            cursor.execute(self.sql, params)
            return
        session = _session(connection)
        with _read_without_history_context(connection):
            if self.name in session.stale:
                cursor.execute(f"DEALLOCATE {self.name}")
                session.stale.discard(self.name)
                session.prepared.discard(self.name)
            if self.name in session.uncertain:
                session.uncertain.discard(self.name)
                cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [self.name])
                if cursor.fetchone() is not None:
                    session.prepared.add(self.name)
            if self.name in session.prepared:
                try:
                    cursor.execute(self.execute_sql, params)
                except DatabaseError as error:
                    if not isinstance(error.__cause__, _SCHEMA_CHANGED):
                        raise
                    # The schema changed under the prepared statement ("cached plan must not change
                    # result type", or a parameter's type that no longer fits the column).
                    session.stale.add(self.name)
                    if connection.in_atomic_block:
                        raise  # the transaction is aborted; the next use prepares it again
                    self.run(cursor, params)
                return
            try:
                self._prepare_and_execute(connection, cursor, params)
            except DatabaseError:
                session.uncertain.add(self.name)
                raise
        if self.preparable:
            session.prepared.add(self.name)

    def _prepare_and_execute(self, connection, cursor, params) -> None:
        statement = self.prepare_sql + self.execute_sql
        if self.validated:
            cursor.execute(statement, params)
            return
        # The first PREPARE of this statement in this process: one PostgreSQL cannot prepare runs
        # unprepared, and an open transaction stays usable (a savepoint around the attempt).
        try:
            with transaction.atomic(using=connection.alias) if connection.in_atomic_block else nullcontext():
                cursor.execute(statement, params)
        except DatabaseError as error:
            if isinstance(error.__cause__, psycopg2.errors.DuplicatePreparedStatement):
                cursor.execute(self.execute_sql, params)  # already prepared on this session
                self.validated = True
                return
            log.warning("%s could not be prepared; it runs unprepared", self.name, exc_info=True)
            self.preparable = False
            cursor.execute(self.sql, params)
            return
        self.validated = True
