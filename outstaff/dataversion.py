"""Per-tenant data versions: a number per organization that changes with every committed write to the
tables a cached read depends on, by any path (services, bulk and CSV imports, the admin, the risk
scan, raw SQL), so that an aggregate can be cached under (tenant, scope, version) and a write is
never followed by a stale read. Plumbing only: it knows no domain table; each model opts in.

API
---
- In a model's ``Meta.triggers``: ``*data_version_triggers(tenants_sql=...)``, where ``tenants_sql``
  is a SELECT over the changed rows (the transition table is named ``{rows}``) giving the uuid of
  every organization whose reads the row feeds, e.g.
  ``"SELECT client_id FROM {rows} UNION ALL SELECT provider_id FROM {rows}"`` or a join through the
  row's worker. NULLs and duplicates are dropped. ``makemigrations`` then adds the triggers; make the
  migration depend on ``("outstaff", "0003_data_version")``. A table without a model (an automatic
  many-to-many table) gets the same SQL from ``data_version_sql(table=..., tenants_sql=...)`` in a
  ``RunSQL``.
- ``cached(namespace, tenant_ids=[...], scope=(...), compute=callable, timeout=...)``: the value of
  ``compute()`` cached under the tenants' current versions. ``scope`` must name everything else the
  value depends on (the user or role whose scope it is, today's date, the page's filters): two
  callers with the same namespace, tenants, versions and scope get the same value.
- ``data_versions(tenant_ids)``: the versions (the cache key's part) or None when the value must not
  be cached (this transaction wrote to one of the tenants).
- ``flush_pending()``: tests only: what COMMIT would do to the versions, inside the test's
  transaction (``SET CONSTRAINTS ... IMMEDIATE``), so a test can read a cached value after a write.

How the version changes (``outstaff/migrations/0003_data_version.py``, ``0004_...``)
------------------------------------------------------------------------------------
1. A statement-level AFTER trigger (INSERT, UPDATE, DELETE; a TRUNCATE starts a new epoch) of each
   opted-in table reads the statement's transition tables, so a bulk write of 100k rows costs one
   call, and inserts (txid, tenant) into the UNLOGGED table ``outstaff_dataversion_pending``,
   ``ON CONFLICT DO NOTHING`` (one row per tenant per transaction), plus one marker row per writing
   statement into ``outstaff_dataversion_mark``. No lock on a shared row: concurrent transactions
   have different txids, so they never wait on each other here.
2. A deferred constraint trigger on the markers runs at COMMIT, in the order the markers were
   queued: every one but the last finds a later marker and returns; the last one (queued by the
   transaction's last writing statement, after that statement's foreign-key checks) deletes the
   transaction's pending rows and sets each tenant's ``outstaff_dataversion.version`` to a fresh
   value of a global sequence, in tenant-id order. So a writer takes a tenant's version row only
   once its deferred foreign-key checks (which can wait for another transaction's row lock) are
   done, holds it only until its COMMIT ends, and several tenants' rows are always taken in the same
   order: writers of one tenant neither serialise their work nor deadlock on these rows
   (``outstaff/tests/test_dataversion.py`` has the deadlock a bump at the first write's event
   caused). The data and its new version become visible in the same commit.
3. A reader (``data_versions``) reads the versions in one query *before* computing. Under READ
   COMMITTED every later statement sees at least what was committed before that read, so a value
   stored under version v holds every write committed before v was read (and possibly newer ones),
   and any write committed after it changes the version: no reader is served a value older than the
   last committed write. The query also reports whether the current transaction itself has pending
   (uncommitted) rows for a tenant: then the value is computed and not cached, so a transaction reads
   its own writes.
4. Versions come from a sequence, never reused (a rolled-back transaction burns its values), and the
   key also holds the database's oid and the version table's relfilenode, which a TRUNCATE of it
   (done by the trigger of any opted-in table that is truncated) or a restore under the same name
   changes: a key is never reused for other data.
   A tenant without a version row (nothing written since this was installed) is at version 0.

The cache is Django's default cache. A cache error is a miss (``FailSoftRedisCache`` with Redis down;
any other error is caught here): the value is computed, as without a cache. A write with triggers
disabled (``session_replication_role = replica``, as ``seed_bench`` does into an empty database) is
not seen: clear the cache after one. Not covered: what does not live in the database (a deploy that
changes code or rule wording), which the entry's ``timeout`` bounds."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager

import pgtrigger
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections

from .statements import PreparedStatement

logger = logging.getLogger(__name__)

VERSION_TABLE = "outstaff_dataversion"
PENDING_TABLE = "outstaff_dataversion_pending"
TOUCH_FUNCTION = "outstaff_dataversion_touch"
BUMP_CONSTRAINT = "outstaff_dataversion_bump"
DEFAULT_TIMEOUT = 15 * 60
MAX_KEY_LENGTH = 200
_MISSING = object()


def _touch_sql(select: str) -> str:
    # Trigger DDL: `select` is a model's own tenants_sql, written into a migration, never a request's.
    return f"PERFORM {TOUCH_FUNCTION}(ARRAY(SELECT DISTINCT t FROM ({select}) AS s(t) WHERE t IS NOT NULL));"  # nosec B608


def _bodies(tenants_sql: str) -> dict[str, str]:
    """The body of each operation's trigger: which transition tables it reads."""
    old, new = tenants_sql.format(rows="dv_old"), tenants_sql.format(rows="dv_new")
    return {
        "INSERT": _touch_sql(new),
        "UPDATE": _touch_sql(f"({old}) UNION ({new})"),
        "DELETE": _touch_sql(old),
        # Every tenant's data may be gone: a new epoch (the version table's relfilenode) for all.
        "TRUNCATE": f"TRUNCATE {VERSION_TABLE};",
    }


def data_version_triggers(*, tenants_sql: str) -> list[pgtrigger.Trigger]:
    """The four statement-level triggers of one model (for ``Meta.triggers``); see the module doc."""
    bodies = _bodies(tenants_sql)
    referencing = {
        "INSERT": pgtrigger.Referencing(new="dv_new"),
        "UPDATE": pgtrigger.Referencing(old="dv_old", new="dv_new"),
        "DELETE": pgtrigger.Referencing(old="dv_old"),
        "TRUNCATE": None,
    }
    operations = {
        "INSERT": pgtrigger.Insert,
        "UPDATE": pgtrigger.Update,
        "DELETE": pgtrigger.Delete,
        "TRUNCATE": pgtrigger.Truncate,
    }
    return [
        pgtrigger.Trigger(
            name=f"data_version_{op.lower()}",
            when=pgtrigger.After,
            operation=operations[op],
            level=pgtrigger.Statement,
            referencing=referencing[op],
            # Trigger DDL written at migration time from the model's own names, never from a request.
            func=bodies[op] + "\nRETURN NULL;",
        )
        for op in ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
    ]


def data_version_sql(*, table: str, tenants_sql: str) -> tuple[str, str]:
    """(forward, reverse) SQL installing the same triggers on a table without a model of its own."""
    bodies = _bodies(tenants_sql)
    forward, reverse = [], []
    for op, refs in (
        ("INSERT", "REFERENCING NEW TABLE AS dv_new"),
        ("UPDATE", "REFERENCING OLD TABLE AS dv_old NEW TABLE AS dv_new"),
        ("DELETE", "REFERENCING OLD TABLE AS dv_old"),
        ("TRUNCATE", ""),
    ):
        name = f"{table}_dv_{op.lower()}"
        forward.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {bodies[op]} RETURN NULL; END $$;"
            f"CREATE TRIGGER {name} AFTER {op} ON {table} {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
        )
        reverse.append(f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();")
    return "\n".join(forward), "\n".join(reverse)


# The reader's one query: the key's epoch (database oid, version table's relfilenode), then per
# tenant its version (0 without a row) and whether this transaction has uncommitted writes to it.
# The tenants go as one array literal ('{id,id}'), which PostgreSQL reads as the uuid[] the
# prepared statement expects.
_VERSIONS = PreparedStatement(
    f"""
SELECT (SELECT oid FROM pg_database WHERE datname = current_database()),
       (SELECT relfilenode FROM pg_class WHERE oid = '{VERSION_TABLE}'::regclass),
       t.id::text,
       COALESCE(v.version, 0),
       EXISTS (SELECT 1 FROM {PENDING_TABLE} p WHERE p.txid = txid_current_if_assigned() AND p.tenant_id = t.id)
FROM unnest(%s::uuid[]) WITH ORDINALITY AS t(id, n)
LEFT JOIN {VERSION_TABLE} v ON v.tenant_id = t.id
ORDER BY t.n
""",  # nosec B608 - constant table names
    prefix="data_versions",
)


class _RequestMemo:
    """The versions a request has read, kept until it sends a statement that may write."""

    def __init__(self):
        self.epoch: str | None = None
        self.versions: dict[str, int] = {}

    def clear(self) -> None:
        self.epoch = None
        self.versions.clear()

    def watch(self, execute, sql, params, many, context):
        if not _reads_only(sql):
            self.clear()
        return execute(sql, params, many, context)


# pghistory puts this before every statement it does not know for a read (its runtime's
# _inject_history_context), to carry the request's audit context to the triggers of what it writes.
_HISTORY_PREFIX = "SELECT set_config('pghistory."


def _reads_only(sql) -> bool:
    """A SELECT, or the EXECUTE / PREPARE of a prepared statement (outstaff/statements.py prepares
    SELECTs only); anything else may write: an INSERT, UPDATE or DELETE (pghistory's prefix or
    not), a WITH, a savepoint, SQL that is not plain text. No SELECT in this code base calls a
    function that writes to a tenant's tables."""
    if not isinstance(sql, str):
        return False
    head = sql.lstrip()
    if head.startswith(_HISTORY_PREFIX):
        return False
    return head[:8].upper().startswith(("SELECT", "EXECUTE ", "PREPARE "))


@contextmanager
def request_memo(using: str = DEFAULT_DB_ALIAS):
    """Within: ``data_versions`` reads a tenant's version once and reuses it, until the connection
    sends any statement but a read. So a page whose navigation and body are both cached under the
    organization's version reads it once. Reusing it is what a single read at the first use would
    have given: a write committed by another transaction since is not seen (as if the request had
    run a moment earlier), and one by this request itself (which must be seen: read your writes)
    clears the memo first. ``outstaff.middleware.DataVersionMemoMiddleware`` opens one per request."""
    connection = connections[using]
    memo = _RequestMemo()
    previous = getattr(connection, "_outstaff_dv_memo", None)
    connection._outstaff_dv_memo = memo
    try:
        with connection.execute_wrapper(memo.watch):
            yield memo
    finally:
        connection._outstaff_dv_memo = previous


def _key_part(epoch: str, versions: dict, tenants: list[str]) -> str:
    return f"{epoch}:" + ",".join(f"{tenant}={versions[tenant]}" for tenant in tenants)


def data_versions(tenant_ids: Sequence) -> str | None:
    """The tenants' versions as one key part, or None when this transaction wrote to one of them
    (its own uncommitted writes: compute, do not cache). Read it before computing the value."""
    # The canonical text of each id (as PostgreSQL prints it back), whatever the caller's spelling.
    tenants = [str(tenant if isinstance(tenant, uuid.UUID) else uuid.UUID(str(tenant))) for tenant in tenant_ids]
    if not tenants:
        return None  # no tenant's version to follow: nothing a write would change
    memo = getattr(connection, "_outstaff_dv_memo", None)
    if memo is not None and memo.epoch is not None and all(tenant in memo.versions for tenant in tenants):
        return _key_part(memo.epoch, memo.versions, tenants)
    with connection.cursor() as cursor:
        _VERSIONS.run(cursor, ["{" + ",".join(tenants) + "}"])
        rows = cursor.fetchall()
    if not rows or any(row[4] for row in rows):
        return None
    epoch = f"{rows[0][0]}.{rows[0][1]}"
    versions = {row[2]: row[3] for row in rows}
    if memo is not None:
        if memo.epoch != epoch:
            memo.clear()
            memo.epoch = epoch
        memo.versions.update(versions)
    return _key_part(epoch, versions, tenants)


def _scope_part(scope: Iterable) -> str:
    return ":".join(str(part) for part in scope)


def cached(
    namespace: str,
    *,
    tenant_ids: Sequence,
    scope: Iterable,
    compute: Callable[[], object],
    timeout: int = DEFAULT_TIMEOUT,
):
    """``compute()``, cached under (namespace, scope, the tenants' versions); see the module doc.
    The versions are read before ``compute`` runs; a cache error is a miss."""
    versions = data_versions(tenant_ids)
    if versions is None:
        return compute()
    key = f"dv:{namespace}:{_scope_part(scope)}:{versions}"
    if len(key) > MAX_KEY_LENGTH:
        # Many tenants (a provider's clients) or a long scope: the same key, as a digest (memcached
        # refuses keys over 250 characters, and Django warns of every one on every call).
        key = f"dv:{namespace}:{hashlib.sha256(key.encode()).hexdigest()}"
    try:
        value = cache.get(key, _MISSING)
    except Exception:  # noqa: BLE001 - a cache that fails is a miss, never an error page
        logger.warning("data-version cache get failed; computing", exc_info=True)
        value = _MISSING
    if value is not _MISSING:
        return value
    value = compute()
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("data-version cache set failed", exc_info=True)
    return value


def flush_pending() -> None:
    """Tests only: run the commit-time version bump now, inside the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {BUMP_CONSTRAINT} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {BUMP_CONSTRAINT} DEFERRED")
