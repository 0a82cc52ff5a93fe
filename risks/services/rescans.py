"""The rescan outbox (`PendingRescan`): a change records that its workers need re-evaluating, in its
own transaction; after the commit one task per burst is enqueued; the beat drain catches whatever
no task picked up. Works the same with Redis, with the filesystem broker and with the broker down,
because the state lives in PostgreSQL, not in a per-process cache."""

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.db import connection, transaction

from ..models import PendingRescan

# A task enqueued longer ago than this without starting is presumed lost (broker restarted without
# persistence, worker killed before it took the message): the drain scans the worker itself.
ENQUEUE_LEASE = dt.timedelta(minutes=2)
DRAIN_BATCH = 500


# Inside `rescans_deferred()`: the workers whose changes committed there (their rows are recorded as
# always; no task is enqueued for them).
_deferred: ContextVar[set[str] | None] = ContextVar("rescans_deferred", default=None)


def _ids(worker_ids: Iterable) -> list[str]:
    return sorted({str(uuid.UUID(str(worker_id))) for worker_id in worker_ids if worker_id})


def rescans_record(*, worker_ids: Iterable, source: str) -> int:
    """Inside the change's transaction: mark the workers as owing a re-evaluation (one upsert for
    any number of workers; sorted, so concurrent bulk changes lock rows in the same order). A row
    already enqueued stays enqueued: the task on its way will see this change too."""
    ids = _ids(worker_ids)
    if not ids:
        return 0
    collected = _deferred.get()
    if collected is not None:
        collected.update(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {PendingRescan._meta.db_table} (worker_id, source, requested_at, enqueued_at)
            SELECT unnest(%s::uuid[]), %s, clock_timestamp(), NULL
            ON CONFLICT (worker_id) DO UPDATE
                SET requested_at = EXCLUDED.requested_at, source = EXCLUDED.source
            """,  # nosec B608 - the only interpolation is the model's own table name
            [ids, (source or "")[:100]],
        )
    return len(ids)


@contextlib.contextmanager
def rescans_deferred() -> Iterator[set[str]]:
    """Changes committed inside record their pending rescans as always, but enqueue no task: for a
    caller that runs a full scan right afterwards (seed_demo), which would otherwise leave dozens of
    one-worker scans of the same data queued. Yields the set of the workers concerned; pass it to
    `rescans_covered` after the full scan. Rows left (no full scan came) wait for the beat drain."""
    collected: set[str] = set()
    token = _deferred.set(collected)
    try:
        yield collected
    finally:
        _deferred.reset(token)


def rescans_defer(*, worker_ids: Iterable) -> bool:
    """True, and the workers noted, when inside `rescans_deferred()`: the caller enqueues nothing."""
    collected = _deferred.get()
    if collected is None:
        return False
    collected.update(_ids(worker_ids))
    return True


def rescans_covered(*, worker_ids: Iterable, before: dt.datetime) -> int:
    """A full scan that started at or after `before` re-evaluated these workers after their changes
    had committed: the re-evaluations they owed are done. A change requested since keeps its row."""
    deleted, _ = PendingRescan.objects.filter(worker_id__in=_ids(worker_ids), requested_at__lt=before).delete()
    return deleted


def rescans_claim(*, worker_ids: Iterable) -> list[str]:
    """After the commit: the given workers that need a task enqueued now (none on its way, or the
    one on its way is presumed lost). Marks them enqueued, so the rest of a burst enqueues nothing."""
    ids = _ids(worker_ids)
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {PendingRescan._meta.db_table} SET enqueued_at = clock_timestamp()
            WHERE worker_id = ANY(%s::uuid[]) AND (enqueued_at IS NULL OR enqueued_at < clock_timestamp() - %s)
            RETURNING worker_id
            """,  # nosec B608 - the only interpolation is the model's own table name
            [ids, ENQUEUE_LEASE],
        )
        return sorted(str(row[0]) for row in cursor.fetchall())


def rescans_release(*, worker_ids: Iterable) -> None:
    """The enqueue failed (broker down): the rows wait for the next drain, without the lease delay."""
    PendingRescan.objects.filter(worker_id__in=_ids(worker_ids)).update(enqueued_at=None)


def rescans_take(*, worker_ids: Iterable) -> None:
    """A re-evaluation task starts: it covers everything committed so far. Deleting first means a
    change committed while it runs records a fresh row and enqueues another task, instead of being
    swallowed by this one's debounce."""
    PendingRescan.objects.filter(worker_id__in=_ids(worker_ids)).delete()


def rescans_drain(*, batch_size: int = DRAIN_BATCH, scan=None) -> int:
    """Beat, every minute: re-evaluate, batch after batch, the workers no task took care of. The
    rows are claimed first and deleted only after their scan committed (and only if no change came
    in meanwhile), so a drain killed half-way leaves them for the next one. Returns the number of
    workers scanned."""
    from .scan import risk_scan_run

    scan = scan or risk_scan_run
    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {PendingRescan._meta.db_table} SET enqueued_at = clock_timestamp()
                WHERE worker_id IN (
                    SELECT worker_id FROM {PendingRescan._meta.db_table}
                    WHERE enqueued_at IS NULL OR enqueued_at < clock_timestamp() - %s
                    ORDER BY requested_at LIMIT %s FOR UPDATE SKIP LOCKED
                )
                RETURNING worker_id, requested_at
                """,  # nosec B608 - the only interpolation is the model's own table name
                [ENQUEUE_LEASE, batch_size],
            )
            claimed = cursor.fetchall()
        if not claimed:
            return done
        scan(worker_ids=[str(row[0]) for row in claimed])
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                DELETE FROM {PendingRescan._meta.db_table} AS pending
                USING unnest(%s::uuid[], %s::timestamptz[]) AS done(worker_id, requested_at)
                WHERE pending.worker_id = done.worker_id AND pending.requested_at = done.requested_at
                """,  # nosec B608 - the only interpolation is the model's own table name
                [[row[0] for row in claimed], [row[1] for row in claimed]],
            )
        done += len(claimed)
        if len(claimed) < batch_size:
            return done
